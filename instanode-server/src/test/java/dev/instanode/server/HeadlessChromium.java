package dev.instanode.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser for the dashboard's tests: Debian's chromium, headless, driven through Debian's
 * chromedriver. Nothing is ever downloaded (Selenium Manager is kept offline and never needed: the
 * driver and the browser are named). A local run without them skips the browser tests and says why;
 * in CI ({@code CI=true}, where {@code .ci/run} installs them) their absence fails.
 */
final class HeadlessChromium {
  static final String MISSING =
      "chromium and chromedriver are not installed (apt-get install chromium chromium-driver):"
          + " browser tests skipped";
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private HeadlessChromium() {}

  /** True when the browser tests can run; throws in CI when they cannot. */
  static boolean available() {
    boolean found = browser().isPresent() && driver().isPresent();
    if (!found && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(MISSING + ", and CI must run them");
    }
    return found;
  }

  static ChromeDriver start() {
    System.setProperty("SE_OFFLINE", "true");
    System.setProperty("se.offline", "true");
    String driver = driver().orElseThrow().toString();
    System.setProperty("webdriver.chrome.driver", driver);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser().orElseThrow().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--disable-gpu",
        "--no-first-run");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(driver))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /** Lets pages of {@code origin} write and read the clipboard (headless asks nobody). */
  static void allowClipboard(ChromeDriver browser, String origin) {
    browser.executeCdpCommand(
        "Browser.grantPermissions",
        Map.of(
            "origin",
            origin,
            "permissions",
            List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
  }

  /** Saves what the browser shows as {@code target/screenshots/<flow>.png}. */
  static Path screenshot(ChromeDriver browser, String flow) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(flow + ".png");
      Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> browser() {
    return first("chromium", "chromium-browser");
  }

  private static Optional<Path> driver() {
    return first("chromedriver");
  }

  private static Optional<Path> first(String... names) {
    for (String name : names) {
      for (String dir :
          (System.getenv().getOrDefault("PATH", "")
                  + File.pathSeparator
                  + "/usr/bin:/usr/lib/chromium")
              .split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
