package boxoffice.ui;

import boxoffice.testing.Browser;
import boxoffice.testing.BrowserTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 100,000-seat event in a real browser: how long its page takes to open, and whether it keeps up
 * with 500 changes a second, measured with the page's own performance marks (see event-page.js).
 * The figures are printed and written to target/big-event-figures.txt (BENCHMARKS.md has them); the
 * assertions are generous, since the machine is shared: 2 s and 500 changes/s are the targets.
 */
class BigEventTest extends BrowserTest {

  private static final int ROWS = 250;
  private static final int PER_ROW = 400;
  private static final int RATE = 500; // holds a second, each one change of the event
  private static final int SECONDS = 8;
  /** The corner of the map a 1280 x 900 window shows. */
  private static final int VIEW_ROWS = 15;
  private static final int VIEW_SEATS = 30;

  @Test
  void aHundredThousandSeatPageOpensAndKeepsUpWithFiveHundredChangesASecond() throws IOException {
    api.createEvent("stadium", ROWS, PER_ROW, 900);
    Browser page = browser();
    page.go("/ui/events/stadium"); // a fresh browser: nothing cached
    awaitReady(page);
    double seatsRead = mark(page, "boxoffice:seats-read");
    double open = mark(page, "boxoffice:map-ready");
    String request = seatsRequest(page);
    assertEquals("100000", page.attribute("#counts", "data-available"));
    // the first open came right after the service started, with its code not yet compiled (the
    // first 2 MB map rendered and compressed); a reload is what an open costs once it runs
    page.driver().navigate().refresh();
    awaitReady(page);
    double seatsReadAgain = mark(page, "boxoffice:seats-read");
    double reopen = mark(page, "boxoffice:map-ready");
    String requestAgain = seatsRequest(page);
    page.js("window.longTasks = [];"
      + "new PerformanceObserver(l => window.longTasks.push(...l.getEntries().map(e => e.duration)))"
      + ".observe({ type: 'longtask' });");
    double loadStartedAt = now(page);

    long started = System.nanoTime();
    Load load = holds();
    double sendSeconds = (System.nanoTime() - started) / 1e9;
    JsonObject truth = api.get("/events/stadium").await().bodyAsJsonObject();
    assertEquals(load.sent, load.created.get(), "every hold made a change");
    assertEquals(2 * load.sent, truth.getInteger("held"));
    long caughtUp = System.nanoTime();
    page.await("the page shows every change", Duration.ofSeconds(30),
      b -> String.valueOf(truth.getInteger("held")).equals(b.attribute("#counts", "data-held")));
    double catchUpMs = (System.nanoTime() - caughtUp) / 1e6;

    // every repaint that showed changes: [when (ms since the page opened), how many, lag of the oldest]
    @SuppressWarnings("unchecked")
    List<List<Number>> frames = (List<List<Number>>) page.js("return performance.getEntriesByName('boxoffice:changes')"
      + ".filter(m => performance.timeOrigin + m.startTime >= arguments[0])"
      + ".map(m => [m.startTime, m.detail.changes, m.detail.lagMs, m.detail.feedLagMs])", loadStartedAt);
    int shown = frames.stream().mapToInt(f -> f.get(1).intValue()).sum();
    double span = (frames.get(frames.size() - 1).get(0).doubleValue() - frames.get(0).get(0).doubleValue()) / 1000;
    double[] lags = frames.stream().mapToDouble(f -> f.get(2).doubleValue()).sorted().toArray();
    double[] feedLags = frames.stream().mapToDouble(f -> f.get(3).doubleValue()).sorted().toArray();
    @SuppressWarnings("unchecked")
    List<Number> longTasks = (List<Number>) page.js("return window.longTasks");
    double longest = longTasks.stream().mapToDouble(Number::doubleValue).max().orElse(0);

    String figures = String.format(Locale.ROOT, """
        100,000-seat event page (%d x %d), Chromium %s headless
          open, the service just started: seat map and event read %.0f ms, map drawn %.0f ms after navigation start (%s)
          open again (reload): seat map and event read %.0f ms, map drawn %.0f ms after navigation start (%s)
          load: %d holds sent in %.1f s (%.0f/s), %d answered 201 (each one change of the event)
          page: %d changes shown in %.1f s (%.0f/s), %d repaints with changes; lag from a change to its repaint \
        p50 %.0f ms, p95 %.0f ms, max %.0f ms (of which the feed, until a change arrived: p50 %.0f ms, p95 %.0f ms); \
        the last change shown %.0f ms after the last hold was answered
          long tasks (> 50 ms) during the load: %d, the longest %.0f ms
        """, ROWS, PER_ROW, page.driver().getCapabilities().getBrowserVersion(), seatsRead, open, request, seatsReadAgain, reopen, requestAgain,
      load.sent, sendSeconds, load.sent / sendSeconds, load.created.get(),
      shown, span, shown / span, frames.size(), percentile(lags, 50), percentile(lags, 95), lags[lags.length - 1], percentile(feedLags, 50), percentile(feedLags, 95),
      catchUpMs, longTasks.size(), longest);
    System.out.print(figures);
    Files.writeString(Path.of("target", "big-event-figures.txt"), figures);

    assertTrue(open < 10_000 && reopen < 10_000, "the page opened in " + open + " and " + reopen + " ms (the target is 2 s)");
    assertTrue(shown >= load.created.get(), "the page showed every change: " + shown + " of " + load.created.get());
    assertTrue(percentile(lags, 95) < 5_000, "changes reached the screen in time: p95 " + percentile(lags, 95) + " ms");
  }

  private record Load(int sent, AtomicInteger created) {
  }

  /**
   * RATE holds a second for SECONDS seconds, each of two adjacent seats no other hold asks for, so that
   * every hold is a change: seats all over the map, and one hold in 16 in the corner the page shows.
   */
  private Load holds() {
    int total = RATE * SECONDS;
    List<Integer> inView = new ArrayList<>();
    List<Integer> elsewhere = new ArrayList<>();
    for (int row = 0; row < ROWS; row++) {
      for (int seat = 0; seat < PER_ROW; seat += 2) {
        (row < VIEW_ROWS && seat < VIEW_SEATS ? inView : elsewhere).add(row * PER_ROW + seat);
      }
    }
    Collections.shuffle(elsewhere, new Random(7));
    List<Integer> firsts = new ArrayList<>(elsewhere.subList(0, total));
    for (int k = 0; k < inView.size() && 16 * k < total; k++) {
      firsts.set(16 * k, inView.get(k));
    }
    AtomicInteger created = new AtomicInteger();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    vertx.setPeriodic(10, timer -> {
      long due = Math.min(total, (System.nanoTime() - start) / 1_000_000 * RATE / 1000);
      while (calls.size() < due) {
        int i = firsts.get(calls.size());
        calls.add(api.hold("stadium", "fan" + calls.size(), List.of(seat(i), seat(i + 1))).onSuccess(r -> {
          if (r.statusCode() == 201) {
            created.incrementAndGet();
          }
        }));
      }
      if (calls.size() == total) {
        vertx.cancelTimer(timer);
        Future.join(calls).onComplete(all -> done.complete());
      }
    });
    done.future().await();
    return new Load(total, created);
  }

  private static String seat(int index) {
    int row = index / PER_ROW + 1;
    StringBuilder label = new StringBuilder();
    for (int n = row; n > 0; n = (n - 1) / 26) {
      label.insert(0, (char) ('A' + (n - 1) % 26));
    }
    return label.toString() + (index % PER_ROW + 1);
  }

  private static double mark(Browser page, String name) {
    return ((Number) page.js("return performance.getEntriesByName(arguments[0])[0].startTime", name)).doubleValue();
  }

  /** When the page asked for the seat map, had the first byte and the last (ms after navigation start), and its size. */
  private static String seatsRequest(Browser page) {
    return (String) page.js("const r = performance.getEntriesByName(location.origin + '/events/stadium/seats')[0];"
      + "return `map asked at ${r.startTime.toFixed(0)} ms, first byte ${r.responseStart.toFixed(0)} ms, `"
      + " + `last ${r.responseEnd.toFixed(0)} ms, ${(r.encodedBodySize / 1024).toFixed(0)} KiB sent, `"
      + " + `${(r.decodedBodySize / 1024).toFixed(0)} KiB of JSON`");
  }

  private static double now(Browser page) {
    return ((Number) page.js("return performance.timeOrigin + performance.now()")).doubleValue();
  }

  private static double percentile(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
