package dev.instanode.bench;

import dev.instanode.testkit.HttpJson;
import java.net.http.HttpResponse;

/**
 * {@code POST /db/new} or {@code /cache/new} against a running api, from a new network each time.
 */
record HttpProvision(String name, HttpJson http, String path) implements Target {
  @Override
  public double[] provisionOnce() {
    long t0 = System.nanoTime();
    HttpResponse<String> res = http.postJson(path, "{\"name\":\"bench\"}");
    double client = (System.nanoTime() - t0) / 1e6;
    if (res.statusCode() != 201) {
      throw new IllegalStateException(res.statusCode() + " " + res.body());
    }
    return Stats.sample(client, serverMillis(res));
  }

  private static double serverMillis(HttpResponse<String> res) {
    return res.headers()
        .firstValue("Server-Timing")
        .map(v -> Double.parseDouble(v.substring(v.indexOf("dur=") + 4)))
        .orElse(Double.NaN);
  }
}
