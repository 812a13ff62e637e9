package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every statement that names a table lives in that table's repository, so a rule about a table (its
 * locks, its guards, its keyset order) is written once and a job calls a named method. Statements
 * not yet moved are listed in {@link #NOT_YET_MOVED}; that list only shrinks: an entry that no
 * longer names its table fails the test as well, so it is taken off when the code moves.
 */
class TableOwnershipTest {
  /** The one class whose statements may name each table. */
  private static final Map<String, String> OWNER =
      Map.ofEntries(
          Map.entry("drop_audit", "DropAudit"),
          Map.entry("resources", "ResourceRepository"),
          Map.entry("pool_items", "PoolRepository"),
          Map.entry("queue_users", "QueueBackend"),
          Map.entry("queue_binding_users", "QueueBackend"),
          Map.entry("pending_propagations", "PendingPropagationRepository"),
          Map.entry("audit_log", "AuditLog"),
          Map.entry("onboarding_events", "OnboardingRepository"),
          Map.entry("teams", "IdentityRepository"),
          Map.entry("users", "IdentityRepository"),
          Map.entry("api_keys", "IdentityRepository"),
          Map.entry("team_invitations", "InvitationRepository"),
          Map.entry("magic_links", "MagicLinkRepository"),
          Map.entry("vault_secrets", "VaultRepository"),
          Map.entry("stacks", "StackRepository"),
          Map.entry("stack_services", "StackRepository"));

  /** "table in Class" for each statement still outside its repository. */
  private static final Set<String> NOT_YET_MOVED =
      Set.of(
          // The onboarding insert lists the caller's live anonymous resources in one statement.
          "resources in OnboardingRepository");

  // SQL keywords are upper case in our statements; prose in comments is not matched. A JOIN does
  // not count: a read belongs to the repository of the table it reads from.
  private static final Pattern NAMES_TABLE =
      Pattern.compile("\\b(?:FROM|INTO|UPDATE|TABLE)\\s+(?:provisioner\\.)?(\\w+)\\b");
  // The joint of a string split over lines: "... FROM" + " resources ..."
  private static final Pattern CONCATENATION = Pattern.compile("\"\\s*\\+\\s*\"");

  @Test
  void statementsNameATableOnlyInItsRepository() {
    Set<String> outside = new TreeSet<>();
    for (Path source : mainSources()) {
      String owner = source.getFileName().toString().replace(".java", "");
      String text = CONCATENATION.matcher(read(source)).replaceAll("");
      var matcher = NAMES_TABLE.matcher(text);
      while (matcher.find()) {
        String table = matcher.group(1);
        if (OWNER.containsKey(table) && !OWNER.get(table).equals(owner)) {
          outside.add(table + " in " + owner);
        }
      }
    }
    assertThat(outside)
        .as("statements naming a table outside its repository (move them into it)")
        .isSubsetOf(NOT_YET_MOVED);
    assertThat(NOT_YET_MOVED).as("moved already: take these off NOT_YET_MOVED").isSubsetOf(outside);
  }

  @Test
  void theScanSeesStatementsAtAll() {
    // Guards the test itself: a broken pattern or path would pass the check above vacuously.
    String owner = "ResourceRepository";
    Path repository =
        mainSources().stream()
            .filter(p -> p.getFileName().toString().equals(owner + ".java"))
            .findFirst()
            .orElseThrow();
    String text = CONCATENATION.matcher(read(repository)).replaceAll("");
    assertThat(NAMES_TABLE.matcher(text).results().map(m -> m.group(1))).contains("resources");
  }

  private static java.util.List<Path> mainSources() {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    assertThat(root.resolve("instanode-store")).isDirectory();
    try (Stream<Path> modules = Files.list(root)) {
      return modules
          .filter(m -> m.getFileName().toString().startsWith("instanode-"))
          // Benchmarks watch the pool fill from outside; they are not the product.
          .filter(m -> !m.getFileName().toString().equals("instanode-bench"))
          .map(m -> m.resolve("src/main/java"))
          .filter(Files::isDirectory)
          .flatMap(TableOwnershipTest::javaFiles)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<Path> javaFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
