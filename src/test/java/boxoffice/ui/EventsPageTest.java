package boxoffice.ui;

import boxoffice.testing.Browser;
import boxoffice.testing.BrowserTest;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The events page in a real browser: the list with its counts, and the form that creates an event. */
class EventsPageTest extends BrowserTest {

  private static final String KEY = "s3cret";

  @Override
  protected JsonObject config(TestCluster cluster) {
    return TestService.config(cluster).put("admin", new JsonObject().put("apiKey", KEY));
  }

  private void create(String id, String name, int rows, int perRow) {
    JsonObject body = new JsonObject().put("id", id).put("name", name).put("venue", "Hall").put("price", 20)
      .put("rows", rows).put("seatsPerRow", perRow);
    assertEquals(201, api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", KEY).sendJsonObject(body)
      .await().statusCode());
  }

  /** The events listed, in order (read in one step: the list replaces its rows every few seconds). */
  @SuppressWarnings("unchecked")
  private static List<String> rows(Browser page) {
    return (List<String>) page.js("return [...document.querySelectorAll('#events tbody tr')].map(tr => tr.dataset.eventId)");
  }

  @Test
  void theListShowsTheEventsNewestFirstWithTheirCountsAndLeadsToTheirPages() {
    for (int i = 1; i <= 21; i++) {
      create("show" + i, "Show " + i, 2, 5);
    }
    String name = "<img src=x id=injected> Opening night";
    create("opening", name, 3, 4);
    assertEquals(201, api.holdQuantity("opening", "ann", 3).await().statusCode());

    Browser page = browser().go("/");
    page.await("the list is shown", b -> rows(b).size() == 20);
    assertTrue(page.driver().getCurrentUrl().endsWith("/ui/"), page.driver().getCurrentUrl());
    assertEquals("opening", rows(page).get(0));
    assertEquals("show21", rows(page).get(1));
    assertEquals("9", page.attribute("#events tr[data-event-id='opening']", "data-available"));
    assertEquals("3", page.attribute("#events tr[data-event-id='opening']", "data-held"));
    assertEquals(name, page.text("#events tr[data-event-id='opening'] th a"));
    assertTrue(page.findAll("#injected").isEmpty(), "the name is text");

    page.find("#more").click();
    page.await("the next page is added", b -> rows(b).size() == 22);
    assertEquals("show1", rows(page).get(21));
    assertTrue(!page.find("#more").isDisplayed(), "no more pages");

    // counts follow without a reload
    assertEquals(201, api.holdQuantity("show5", "bob", 2).await().statusCode());
    page.await("the list reads the counts again", b -> "2".equals(b.attribute("#events tr[data-event-id='show5']", "data-held")));

    page.await("the link is followed", b -> {
      b.find("#events tr[data-event-id='opening'] th a").click();
      return true;
    });
    page.await("the event page opens", b -> b.driver().getCurrentUrl().endsWith("/ui/events/opening"));
    awaitReady(page);
    assertEquals(name, page.find("#event-name").getText());
    assertEquals("3", page.attribute("#counts", "data-held"));
    // a deep link works on reload
    page.driver().navigate().refresh();
    awaitReady(page);
    assertEquals("9", page.attribute("#counts", "data-available"));
  }

  @Test
  void theFormCreatesAnEventAskingForTheAdminKey() {
    Browser page = browser().go("/ui/");
    page.await("the page is ready", b -> b.find("#no-events").isDisplayed());
    page.find("#create-event input[name='name']").sendKeys("Matinee");
    page.find("#create-event input[name='venue']").sendKeys("Small hall");
    page.find("#create-event input[name='id']").sendKeys("matinee");
    WebElement rows = page.find("#create-event input[name='rows']");
    rows.clear();
    rows.sendKeys("4");
    WebElement perRow = page.find("#create-event input[name='seatsPerRow']");
    perRow.clear();
    perRow.sendKeys("6");
    page.find("#create-event button[type='submit']").click();

    page.await("the service asks for its key", b -> b.find("#create-error").getText().equals("a valid X-Admin-Key header is required"));
    assertTrue(page.find("#create-event input[name='adminKey']").isDisplayed());
    assertEquals(404, api.get("/events/matinee").await().statusCode(), "nothing was created");
    page.find("#create-event input[name='adminKey']").sendKeys(KEY);
    page.find("#create-event button[type='submit']").click();

    page.await("the new event's page opens", b -> b.driver().getCurrentUrl().endsWith("/ui/events/matinee"));
    awaitReady(page);
    assertEquals("Matinee", page.find("#event-name").getText());
    assertEquals("24", page.attribute("#counts", "data-available"));
    assertEquals(24, page.findAll("#seatmap button.seat").size());
    assertEquals("Row D, seat 6, available", page.attribute("#seatmap button[data-seat='D6']", "aria-label"));
  }

  @Test
  void listedSeatsFlowInTheOrderOfTheirIds() {
    JsonObject body = new JsonObject().put("id", "club").put("name", "Club").put("venue", "Cellar").put("price", 8)
      .put("seatIds", new JsonArray(List.of("T10", "T2", "T1", "BAR-1", "BAR-2")));
    assertEquals(201, api.request(HttpMethod.POST, "/events").putHeader("X-Admin-Key", KEY).sendJsonObject(body)
      .await().statusCode());
    assertEquals(201, api.hold("club", "ann", List.of("T10")).await().statusCode());
    Browser page = eventPage("club", "bob");
    List<String> order = page.findAll("#seatmap button.seat").stream().map(b -> b.getDomAttribute("data-seat")).toList();
    assertEquals(List.of("BAR-1", "BAR-2", "T1", "T2", "T10"), order);
    assertEquals("Seat T10, held", page.attribute("#seatmap button[data-seat='T10']", "aria-label"));
    assertTrue(page.findAll("#seatmap .rowlabel:not([hidden])").isEmpty(), "no rows to label");
  }
}
