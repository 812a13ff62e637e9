package dev.instanode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The seams the next features build on, held by the build:
 *
 * <ul>
 *   <li>the api and the worker reach provisioning only through {@code instanode-provisioner-api}
 *       (the Maven enforcer bans the dependency; this test bans the imports);
 *   <li>no public signature carries an infrastructure name as a bare {@code String} or {@code
 *       UUID}: pool tokens, provider resource ids, database, role and ACL-user names, stack ids and
 *       slugs and namespaces each have a type, parsed once where they enter.
 * </ul>
 *
 * The decision package's purity is held by {@code PureDecisionPackageTest} in the worker.
 */
class ArchitectureTest {
  /** Packages of the provisioner role that only it, and its composition, may import. */
  private static final Pattern PROVISIONER_INTERNALS =
      Pattern.compile(
          "^import (static )?dev\\.instanode\\.provisioner\\."
              + "(engine|pool|postgres|redis|breaker|grpc\\.server)\\b",
          Pattern.MULTILINE);

  /** Parameter and component names that are infrastructure names when their type is text. */
  private static final Pattern NAME_KINDS =
      Pattern.compile(
          "(?i)(namingToken|providerResourceId|prid|poolToken|database|databaseName|role|roleName"
              + "|aclUser|aclUserName|namespace|namespaceName|stackId|stackSlug|slug)");

  private static final Set<Class<?>> BARE = Set.of(String.class, UUID.class);

  /** Text that matches a name kind but is no infrastructure name, each with its reason. */
  private static final Set<String> NOT_INFRASTRUCTURE =
      Set.of(
          // The path of any connection URL, the platform's own database included.
          "dev.instanode.core.PostgresUrl.database",
          // The dev launcher's embedded server: its own databases, never a customer's.
          "dev.instanode.embedded.EmbeddedPostgresServer#superuserUrl(database)",
          // A team member's role (owner, admin, ...), not a database role.
          "dev.instanode.store.UserRecord.role",
          "dev.instanode.api.wire.WhoAmIReply.role",
          "dev.instanode.api.wire.InvitationsReply$Invitation.role",
          "dev.instanode.api.wire.MemberChangedReply.role",
          "dev.instanode.api.wire.SessionReply.role",
          "dev.instanode.api.wire.TeamMembersReply$Member.role");

  @Test
  void theApiAndTheWorkerImportNoProvisionerInternals() {
    List<String> offenders = new ArrayList<>();
    for (String module : List.of("instanode-api", "instanode-worker")) {
      for (Path source : sources(root().resolve(module).resolve("src/main/java"), ".java")) {
        if (PROVISIONER_INTERNALS.matcher(read(source)).find()) {
          offenders.add(module + ": " + source.getFileName());
        }
      }
    }
    assertThat(offenders).as("call the Provisioner interface instead").isEmpty();
  }

  @Test
  void theImportScanWouldSeeAnInternalImport() {
    assertThat(
            PROVISIONER_INTERNALS
                .matcher("package x;\nimport dev.instanode.provisioner.pool.PoolRepository;\n")
                .find())
        .isTrue();
    assertThat(
            PROVISIONER_INTERNALS.matcher("import dev.instanode.provisioner.Provisioner;\n").find())
        .isFalse();
  }

  @Test
  void noPublicSignatureCarriesAnInfrastructureNameAsBareText() {
    Set<String> offenders = new TreeSet<>();
    List<Class<?>> classes = productClasses();
    assertThat(classes).as("the scan sees the product's classes").hasSizeGreaterThan(200);
    for (Class<?> type : classes) {
      if (!Modifier.isPublic(type.getModifiers())) {
        continue;
      }
      if (type.isRecord()) {
        for (RecordComponent c : type.getRecordComponents()) {
          if (isBareName(c.getName(), c.getGenericType())) {
            offenders.add(type.getName() + "." + c.getName());
          }
        }
      }
      List<Executable> members = new ArrayList<>();
      for (Method m : type.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
          members.add(m);
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (Modifier.isPublic(c.getModifiers()) && !type.isRecord()) {
          members.add(c);
        }
      }
      for (Executable member : members) {
        for (Parameter p : member.getParameters()) {
          if (p.isNamePresent() && isBareName(p.getName(), p.getParameterizedType())) {
            offenders.add(type.getName() + "#" + member.getName() + "(" + p.getName() + ")");
          }
        }
      }
    }
    assertThat(offenders)
        .as("an exception that no longer applies: take it off")
        .containsAll(NOT_INFRASTRUCTURE);
    offenders.removeAll(NOT_INFRASTRUCTURE);
    assertThat(offenders).as("give these names their type (core and core.names)").isEmpty();
  }

  @Test
  void theSignatureScanWouldSeeABareName() throws NoSuchMethodException {
    record Bad(String providerResourceId, Optional<String> poolToken, UUID stackId) {}
    for (RecordComponent c : Bad.class.getRecordComponents()) {
      assertThat(isBareName(c.getName(), c.getGenericType())).as(c.getName()).isTrue();
    }
    Method m = ArchitectureTest.class.getDeclaredMethod("isBareName", String.class, Type.class);
    assertThat(m.getParameters()[0].isNamePresent()).as("compiled with -parameters").isTrue();
  }

  private static boolean isBareName(String name, Type type) {
    if (!NAME_KINDS.matcher(name).matches()) {
      return false;
    }
    if (type instanceof Class<?> c) {
      return BARE.contains(c);
    }
    if (type instanceof ParameterizedType p
        && p.getRawType() == Optional.class
        && p.getActualTypeArguments()[0] instanceof Class<?> inner) {
      return BARE.contains(inner);
    }
    return false;
  }

  private static List<Class<?>> productClasses() {
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root())) {
      for (Path module : modules.toList()) {
        String name = module.getFileName().toString();
        Path compiled = module.resolve("target/classes");
        if (!name.startsWith("instanode-")
            || name.equals("instanode-bench")
            || name.equals("instanode-testkit")
            || !Files.isDirectory(compiled)) {
          continue;
        }
        for (Path file : sources(compiled, ".class")) {
          String className =
              compiled.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
          // Generated protobuf code speaks the wire's strings by design.
          if (className.contains(".grpc.proto.") || className.endsWith("package-info")) {
            continue;
          }
          classes.add(Class.forName(className, false, ArchitectureTest.class.getClassLoader()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return classes;
  }

  private static Path root() {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    assertThat(root.resolve("instanode-core")).isDirectory();
    return root;
  }

  private static List<Path> sources(Path dir, String suffix) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(suffix)).toList();
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
