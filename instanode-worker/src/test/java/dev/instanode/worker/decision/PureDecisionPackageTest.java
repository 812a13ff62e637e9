package dev.instanode.worker.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** STYLE habit 2: the pure package stays free of I/O types, checked by the build. */
class PureDecisionPackageTest {
  private static final List<String> FORBIDDEN =
      List.of(
          "import java.sql",
          "import javax.sql",
          "import org.jdbi",
          "import io.grpc",
          "import com.github.kagkarlsson",
          "import io.fabric8",
          "import io.micrometer",
          "import org.slf4j",
          "import dev.instanode.store");

  @Test
  void decisionSourcesImportNoIoTypes() throws IOException {
    Path dir = Path.of("src/main/java/dev/instanode/worker/decision");
    assertThat(dir).isDirectory();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(file)) {
          String statement = line.trim().replace("import static ", "import ");
          for (String forbidden : FORBIDDEN) {
            if (statement.startsWith(forbidden)) {
              violations.add(file.getFileName() + ": " + statement);
            }
          }
        }
      }
    }
    assertThat(violations).isEmpty();
  }
}
