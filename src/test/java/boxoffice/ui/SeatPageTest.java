package boxoffice.ui;

import boxoffice.testing.Browser;
import boxoffice.testing.BrowserTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An event's live page in real browsers: holding by clicking, live changes, confirm and cancel, the waitlist. */
class SeatPageTest extends BrowserTest {

  private static String seat(String id) {
    return "#seatmap button[data-seat='" + id + "']";
  }

  private static boolean hasState(Browser browser, String id, String state) {
    String classes = browser.attribute(seat(id), "class");
    return classes != null && classes.contains("s-" + state);
  }

  private static Map<String, String> counts(Browser browser) {
    WebElement counts = browser.find("#counts");
    return Map.of("available", counts.getDomAttribute("data-available"), "held", counts.getDomAttribute("data-held"),
      "sold", counts.getDomAttribute("data-sold"), "waitlist", counts.getDomAttribute("data-waitlist"));
  }

  private static Map<String, String> counts(int available, int held, int sold, int waitlist) {
    return Map.of("available", String.valueOf(available), "held", String.valueOf(held), "sold", String.valueOf(sold),
      "waitlist", String.valueOf(waitlist));
  }

  /** When a performance mark of the page was made, in ms since the epoch (the clock both browsers share). */
  private static double markTime(Browser browser, String mark) {
    return ((Number) browser.js("const m = performance.getEntriesByName(arguments[0]).at(-1);"
      + "return m ? performance.timeOrigin + m.startTime : -1;", mark)).doubleValue();
  }

  @Test
  void seatsHeldByClickingTurnHeldAndASecondBrowserSeesThemLive() {
    api.createEvent("show", 5, 8, 900);
    Browser ann = eventPage("show", "ann");
    Browser bob = eventPage("show", "bob");
    assertEquals(counts(40, 0, 0, 0), counts(ann));

    ann.find(seat("A1")).click();
    ann.find(seat("A2")).click();
    assertEquals("true", ann.attribute(seat("A1"), "aria-pressed"));
    assertEquals("A1, A2", ann.find("#selection").getText());
    ann.find("#hold").click();

    ann.await("A1 and A2 are held", b -> hasState(b, "A1", "held") && hasState(b, "A2", "held"));
    WebElement card = ann.await("the reservation is shown", b -> b.find("#reservations [data-status='pending']"));
    assertEquals("Seats A1, A2", card.findElement(By.cssSelector(".res-seats")).getText());
    assertTrue(card.getText().matches("(?s).*expires in 1[45]:\\d\\d.*"), card.getText());
    ann.await("ann's counts", b -> counts(38, 2, 0, 0).equals(counts(b)));

    bob.await("bob sees A1 and A2 held", b -> hasState(b, "A1", "held") && hasState(b, "A2", "held"));
    bob.await("bob's counts", b -> counts(38, 2, 0, 0).equals(counts(b)));
    assertEquals("Row A, seat 1, held", bob.attribute(seat("A1"), "aria-label"));
    // how long the change took to reach bob's screen: from its time in the change log to his repaint
    double lag = ((Number) bob.js("return Math.max(...performance.getEntriesByName('boxoffice:changes')"
      + ".map(m => m.detail.lagMs))")).doubleValue();
    double afterAnnsAnswer = markTime(bob, "boxoffice:changes") - markTime(ann, "boxoffice:hold-answered");
    System.out.printf("second browser: change shown %.0f ms after it was made, %.0f ms after the first browser's answer%n",
      lag, afterAnnsAnswer);
    assertTrue(lag <= 1000, "the second browser showed the change within 1 s: " + lag + " ms");

    // a taken seat cannot be selected: the click says why
    bob.find(seat("A1")).click();
    assertEquals("false", bob.attribute(seat("A1"), "aria-pressed"));
    assertEquals("Seat A1 is held.", bob.find("#buyer-note").getText());
  }

  @Test
  void holdsMadeThroughTheApiAppearLiveAndNamesStayText() {
    String name = "<img src=x id=injected> & <b>Gala</b>";
    assertEquals(201, api.post("/events", new JsonObject().put("id", "gala").put("name", name).put("venue", "<i>Hall</i>")
      .put("price", 30).put("rows", 3).put("seatsPerRow", 10)).await().statusCode());
    Browser page = eventPage("gala", "viewer");
    assertEquals(name, page.find("#event-name").getText());
    assertTrue(page.find("#event-about").getText().startsWith("<i>Hall</i>"));
    assertTrue(page.findAll("#injected").isEmpty() && page.findAll("main b, main i").isEmpty(), "no markup from the API");

    assertEquals(201, api.hold("gala", "carl", List.of("B3", "B4")).await().statusCode());
    page.await("the API's hold is shown", b -> hasState(b, "B3", "held") && hasState(b, "B4", "held"));
    page.await("counts follow", b -> counts(28, 2, 0, 0).equals(counts(b)));
    assertTrue(hasState(page, "B5", "available"));

    String reservation = api.holdQuantity("gala", "dina", 3).await().bodyAsJsonObject().getString("reservationId");
    page.await("the best-available hold is shown", b -> counts(25, 5, 0, 0).equals(counts(b)));
    assertEquals(200, api.confirm("gala", reservation, "dina").await().statusCode());
    page.await("the sale is shown", b -> counts(25, 2, 3, 0).equals(counts(b)));
  }

  @Test
  void reservationsAreConfirmedAndCancelledFromThePage() {
    api.createEvent("duo", 4, 6, 900);
    Browser page = eventPage("duo", "first");
    // another user, typed in: the page keeps it
    WebElement user = page.find("#user-id");
    user.sendKeys(Keys.chord(Keys.CONTROL, "a"), "erin", Keys.TAB);
    page.await("the user id is kept", b -> "erin".equals(b.js("return localStorage.getItem('boxoffice:userId')")));

    page.find(seat("B1")).click();
    page.find("#hold").click();
    page.await("B1 is held", b -> hasState(b, "B1", "held"));
    page.find("#reservations [data-status='pending'] button[data-action='confirm']").click();
    page.await("the reservation is confirmed", b -> !b.findAll("#reservations [data-status='confirmed']").isEmpty());
    page.await("B1 is sold", b -> hasState(b, "B1", "sold"));
    assertEquals("Row B, seat 1, sold", page.attribute(seat("B1"), "aria-label"));

    WebElement best = page.find("#best-n");
    best.clear();
    best.sendKeys("2");
    page.find("#hold-best").click();
    page.await("two best seats are held", b -> counts(21, 2, 1, 0).equals(counts(b)));
    page.find("#reservations [data-status='pending'] button[data-action='cancel']").click();
    page.await("the hold is cancelled", b -> !b.findAll("#reservations [data-status='cancelled']").isEmpty());
    page.await("its seats are free again", b -> counts(23, 0, 1, 0).equals(counts(b)));
    assertEquals(23, api.get("/events/duo").await().bodyAsJsonObject().getInteger("available"));

    // a reload shows the confirmed reservation again, not the cancelled one
    page.driver().navigate().refresh();
    awaitReady(page);
    page.await("the sale is listed after a reload", b -> b.findAll("#reservations [data-status='confirmed']").size() == 1);
    assertTrue(page.findAll("#reservations [data-status='cancelled']").isEmpty());

    // a selected seat that someone else takes leaves the selection at once
    page.find(seat("C1")).click();
    assertEquals("C1", page.find("#selection").getText());
    assertEquals(201, api.hold("duo", "rival", List.of("C1")).await().statusCode());
    page.await("C1 is taken live and leaves the selection", b -> "none".equals(b.find("#selection").getText()));
    // an error shows the problem's detail
    best = page.find("#best-n");
    best.clear();
    best.sendKeys("11");
    page.find("#hold-best").click();
    String error = page.await("the problem's detail is shown", b -> {
      String text = b.find("#buyer-error").getText();
      return text.isEmpty() ? null : text;
    });
    assertEquals("quantity must be an integer from 1 to 10", error);
  }

  @Test
  void aSoldOutEventOffersTheWaitlistAndShowsThePromotion() {
    api.createEvent("tiny", 1, 2, 900);
    String holding = api.holdQuantity("tiny", "holder", 2).await().bodyAsJsonObject().getString("reservationId");
    Browser page = eventPage("tiny", "wendy");
    page.await("sold out is shown", b -> b.find("#sold-out").isDisplayed() && b.find("#join-waitlist").isDisplayed());

    page.find("#join-waitlist").click();
    page.await("wendy is first in line", b -> b.find("#waitlist-status").getText().equals("You are number 1 in line for 1 seat."));
    page.await("the line's length is counted", b -> counts(0, 2, 0, 1).equals(counts(b)));

    assertEquals(200, api.cancel("tiny", holding, "holder").await().statusCode());
    WebElement promoted = page.await("the promotion shows up", Duration.ofSeconds(15),
      b -> b.find("#reservations [data-status='pending']"));
    assertEquals("promoted", page.attribute("#waitlist", "data-status"));
    assertTrue(promoted.getText().contains("expires in"), promoted.getText());
    page.await("the promoted hold is counted and the line is empty", b -> counts(1, 1, 0, 0).equals(counts(b)));

    promoted.findElement(By.cssSelector("button[data-action='confirm']")).click();
    page.await("the promoted seat is sold", b -> counts(1, 0, 1, 0).equals(counts(b)));
  }

  @Test
  void seatsAreReachableByKeyboardAndStatesDifferBeyondColour() {
    api.createEvent("keys", 3, 5, 900);
    assertEquals(201, api.hold("keys", "x", List.of("A3")).await().statusCode());
    assertEquals(200, api.confirm("keys", api.hold("keys", "y", List.of("A4")).await().bodyAsJsonObject()
      .getString("reservationId"), "y").await().statusCode());
    Browser page = eventPage("keys", "kim");

    // one seat is in the tab order: Tab from the link before the map reaches it
    assertEquals(1, page.findAll("#seatmap button[tabindex='0']").size());
    page.js("document.querySelector('a.home').focus()");
    press(page, Keys.TAB);
    assertEquals("Row A, seat 1, available", focusedLabel(page));
    press(page, Keys.ARROW_RIGHT);
    assertEquals("Row A, seat 2, available", focusedLabel(page));
    press(page, Keys.ARROW_RIGHT);
    assertEquals("Row A, seat 3, held", focusedLabel(page));
    press(page, Keys.ENTER); // a held seat is not selected
    assertEquals("Seat A3 is held.", page.find("#buyer-note").getText());
    press(page, Keys.ARROW_DOWN);
    assertEquals("Row B, seat 3, available", focusedLabel(page));
    press(page, Keys.ENTER);
    assertEquals("Row B, seat 3, selected", focusedLabel(page));
    press(page, Keys.END);
    assertEquals("Row B, seat 5, available", focusedLabel(page));
    press(page, Keys.SPACE);
    press(page, Keys.HOME);
    assertEquals("Row B, seat 1, available", focusedLabel(page));
    assertEquals("B3, B5", page.find("#selection").getText());
    assertTrue(page.find("#hold").isEnabled());

    // besides colour: stripes for held, a cross for sold, a round shape for selected
    String available = style(page, seat("A5"), "backgroundImage");
    String held = style(page, seat("A3"), "backgroundImage");
    String sold = style(page, seat("A4"), "backgroundImage");
    assertEquals("none", available);
    assertTrue(held.startsWith("repeating-linear-gradient"), held);
    assertTrue(sold.contains("linear-gradient") && !sold.equals(held), sold);
    assertEquals("50%", style(page, seat("B3"), "borderTopLeftRadius"));
    assertNotEquals("50%", style(page, seat("A5"), "borderTopLeftRadius"));
    assertEquals("Row A, seat 4, sold", page.attribute(seat("A4"), "aria-label"));
  }

  private static void press(Browser page, CharSequence key) {
    page.driver().switchTo().activeElement().sendKeys(key);
  }

  private static String focusedLabel(Browser page) {
    return (String) page.js("return document.activeElement.getAttribute('aria-label')");
  }

  private static String style(Browser page, String css, String property) {
    return (String) page.js("return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]", css, property);
  }
}
