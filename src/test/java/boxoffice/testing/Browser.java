package boxoffice.testing;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A real Chromium, headless, driven through chromedriver: Debian's {@code chromium} and
 * {@code chromium-driver} (scripts/require-chromium.sh installs them). Both are named by path, so
 * Selenium Manager never runs and nothing is downloaded. Each browser has a fresh profile, deleted
 * when it is closed.
 */
public final class Browser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(50);

  static {
    // Selenium's own logging (java.util.logging) is for its developers
    Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
  }

  private final ChromeDriver driver;
  private final Path profile;
  private String base;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** A new browser; {@link #use} tells it which service to open pages of. */
  public static Browser open() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException(CHROMIUM + " or " + CHROMEDRIVER + " is missing: run scripts/require-chromium.sh "
        + "(scripts/test.sh does)");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    Path profile;
    try {
      profile = Files.createTempDirectory("boxoffice-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // as root, Chromium runs only without its sandbox; the rest keeps it from calling home
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--user-data-dir=" + profile, "--window-size=1280,900");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(CHROMEDRIVER.toFile())
      .usingAnyFreePort()
      .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
      return new Browser(driver, profile);
    } catch (RuntimeException e) {
      delete(profile);
      throw e;
    }
  }

  /** Pages are opened from the service on {@code port} of this machine from now on. */
  public Browser use(int port) {
    base = "http://127.0.0.1:" + port;
    return this;
  }

  /** Leaves the page for an empty one: its connections (a live feed) close. */
  public void leave() {
    driver.get("about:blank");
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Opens a path of the service, such as {@code /ui/events/gala}. */
  public Browser go(String path) {
    driver.get(base + path);
    return this;
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  public List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Waits (10 s at most) for a condition on the page to hold, and returns its value. */
  public <T> T await(String what, Function<Browser, T> condition) {
    return await(what, WAIT, condition);
  }

  public <T> T await(String what, Duration timeout, Function<Browser, T> condition) {
    // pages replace elements as they update (the events list every few seconds): a condition that
    // met an element on its way out is asked again
    return new WebDriverWait(driver, timeout, POLL).withMessage(what)
      .ignoring(StaleElementReferenceException.class)
      .until(d -> condition.apply(this));
  }

  /** Runs JavaScript in the page; {@code arguments[0]}... are the arguments. */
  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** The value of an element's attribute, or null when there is no such element (read in one step). */
  public String attribute(String css, String name) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
      css, name);
  }

  /** An element's text as it is rendered, or null when there is no such element (read in one step). */
  public String text(String css) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css);
  }

  /** The browser's console since the last call: errors the page made (a CSP violation, an exception). */
  public List<LogEntry> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Quits the browser and its driver, and deletes the profile. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      delete(profile);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a profile left in the temporary directory harms nothing
    }
  }
}
