package dev.instanode.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {
  private static List<String> lines(Reader in, int max) throws Exception {
    List<String> out = new ArrayList<>();
    BoundedLines.read(in, max, out::add);
    return out;
  }

  @Test
  void linesAreSplitOnNewlinesWithTheirCarriageReturnsDropped() throws Exception {
    assertThat(lines(new StringReader("a\r\nbb\n\nccc"), 100))
        .containsExactly("a", "bb", "", "ccc");
  }

  @Test
  void aLineLongerThanTheBoundIsHandedOverInPiecesNeverWhole() throws Exception {
    // A pod writing without newlines: 10 million characters, never held at once.
    Reader endless =
        new Reader() {
          private long left = 10_000_000;

          @Override
          public int read(char[] buf, int off, int len) {
            if (left == 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(buf, off, off + n, 'x');
            left -= n;
            return n;
          }

          @Override
          public void close() {}
        };
    List<Integer> sizes = new ArrayList<>();
    BoundedLines.read(endless, 16 * 1024, line -> sizes.add(line.length()));
    assertThat(sizes).allMatch(n -> n <= 16 * 1024);
    assertThat(sizes.stream().mapToLong(Integer::longValue).sum()).isEqualTo(10_000_000L);
  }
}
