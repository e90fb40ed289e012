package boxoffice.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.logging.LogEntry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tests of the pages in real browsers, against the whole service. The browsers of a test class are
 * started once and reused by its tests (each test's service listens on a port of its own, so its pages
 * are another origin, with storage of their own). After each test, passed or failed, every browser it
 * used saves a screenshot under target/screenshots/ and leaves the page (closing its live feed); a
 * page that logged an exception or a Content-Security-Policy violation fails the test. The browsers
 * are quit after the class, whatever happened.
 */
public abstract class BrowserTest extends ServiceTest {

  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final List<Browser> STARTED = new ArrayList<>();

  private final List<Browser> used = new ArrayList<>();
  private String name;

  @BeforeEach
  void nameScreenshots(TestInfo info) {
    name = getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow().getName();
  }

  /** Another browser for this test: one the class started before, or a new one. */
  protected Browser browser() {
    Browser browser;
    if (used.size() < STARTED.size()) {
      browser = STARTED.get(used.size());
    } else {
      browser = Browser.open();
      STARTED.add(browser);
    }
    browser.use(app.httpPort());
    used.add(browser);
    return browser;
  }

  /** A browser on an event's page as {@code userId}, once the map is drawn and the feed is live. */
  protected Browser eventPage(String eventId, String userId) {
    Browser browser = browser();
    browser.go("/ui/");
    browser.js("localStorage.setItem('boxoffice:userId', arguments[0])", userId);
    browser.go("/ui/events/" + eventId);
    awaitReady(browser);
    assertEquals(userId, browser.find("#user-id").getDomProperty("value"));
    return browser;
  }

  protected static void awaitReady(Browser browser) {
    browser.await("the seat map is drawn", b -> "true".equals(b.attribute("#seatmap", "data-ready")));
    browser.await("the feed is live", b -> "live".equals(b.attribute("#live", "data-state")));
  }

  @AfterEach
  void screenshotsAndLeave() {
    List<String> errors = new ArrayList<>();
    RuntimeException failure = null;
    for (int i = 0; i < used.size(); i++) {
      Browser browser = used.get(i);
      try {
        browser.screenshot(SCREENSHOTS.resolve(name + (used.size() > 1 ? "-" + (i + 1) : "") + ".png"));
        for (LogEntry entry : browser.console()) {
          // refused calls (409, 404) are logged too: those are answers the pages show, not errors
          if (entry.getMessage().contains("Refused to") || entry.getMessage().contains("Uncaught")) {
            errors.add("browser " + (i + 1) + ": " + entry.getMessage());
          }
        }
        browser.leave();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
        STARTED.remove(browser); // in a state of its own: the next test gets a new one
        try {
          browser.close();
        } catch (RuntimeException closing) {
          failure.addSuppressed(closing);
        }
      }
    }
    used.clear();
    if (failure != null) {
      throw failure;
    }
    assertEquals(List.of(), errors, "the pages ran without exceptions or policy violations");
  }

  @AfterAll
  static void quitBrowsers() {
    RuntimeException failure = null;
    for (Browser browser : STARTED) {
      try {
        browser.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    STARTED.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
