package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.instanode.testkit.HttpJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that trickles its request a byte at a time is disconnected once the read timeout passes
 * (Jetty's idle timeout restarts on every byte and would never fire), while a keep-alive connection
 * that is merely idle between requests is left alone.
 */
class SlowClientHttpTest {
  @RegisterExtension
  static final RunningApi api = RunningApi.with("HTTP_REQUEST_READ_TIMEOUT", "2s");

  @Test
  void aClientTricklingItsHeadersIsDisconnected() throws Exception {
    assertDisconnectedWhileTrickling(
        "GET /livez HTTP/1.1\r\nHost: x\r\n", "X-Slow: " + "a".repeat(200));
  }

  @Test
  void aClientTricklingItsBodyIsDisconnected() throws Exception {
    assertDisconnectedWhileTrickling(
        "POST /db/new HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 500\r\n\r\n",
        "{\"name\":\"" + "a".repeat(480));
  }

  @Test
  void anIdleKeepAliveConnectionOutlivesTheReadTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
      Thread.sleep(3_500);
      out.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
    }
  }

  private static void assertDisconnectedWhileTrickling(String head, String trickled)
      throws Exception {
    double before = closedCount();
    try (Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      AtomicBoolean stop = new AtomicBoolean();
      Thread trickler =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  for (int i = 0; i < trickled.length() && !stop.get(); i++) {
                    out.write(trickled.charAt(i));
                    out.flush();
                    Thread.sleep(300);
                  }
                } catch (IOException | InterruptedException e) {
                  // The server closed the connection: what the test waits for.
                }
              });
      // Blocks until the server closes; SO_TIMEOUT (15 s) fails the test if it never does.
      int read = readUntilClosed(socket.getInputStream());
      stop.set(true);
      trickler.join();
      assertThat(read).as("the server closed the connection").isEqualTo(-1);
    }
    assertThat(closedCount()).isGreaterThan(before);
  }

  private static int readUntilClosed(InputStream in) throws IOException {
    try {
      int b;
      while ((b = in.read()) != -1) {
        // drain anything the server wrote before closing
      }
      return b;
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }

  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return head.toString();
  }

  private static double closedCount() {
    String metrics = new HttpJson(api.port()).get("/metrics").body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("instant_http_slow_requests_closed_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }
}
