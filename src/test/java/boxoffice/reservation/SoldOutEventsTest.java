package boxoffice.reservation;

import boxoffice.bus.CommandFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** When a report that an event is full may answer a hold, and with what. */
class SoldOutEventsTest {

  private static final long TRUST_MS = 1000;
  private static final long T0 = 50_000;

  private final SoldOutEvents soldOut = new SoldOutEvents(TRUST_MS);

  @Test
  void aReportIsTrustedForSoldOutMsFromWhenItsCallWasSent() {
    soldOut.learn("e", full(null), T0, soldOut.freed());
    assertNotNull(soldOut.refusal(quantity(1), T0));
    assertNotNull(soldOut.refusal(quantity(1), T0 + TRUST_MS * 3 / 4 - 1));
    assertNull(soldOut.refusal(quantity(1), T0 + TRUST_MS * 3 / 4), "one hold renews the report");
    assertNotNull(soldOut.refusal(quantity(1), T0 + TRUST_MS - 1), "the others are refused meanwhile");
    assertNull(soldOut.refusal(quantity(1), T0 + TRUST_MS));
  }

  @Test
  void theRenewingHoldsReplyStartsANewWindow() {
    soldOut.learn("e", full(null), T0, soldOut.freed());
    long sentAt = T0 + TRUST_MS * 3 / 4;
    assertNull(soldOut.refusal(quantity(1), sentAt));
    soldOut.learn("e", full(null), sentAt, soldOut.freed());
    assertNotNull(soldOut.refusal(quantity(1), sentAt + TRUST_MS / 2));
  }

  @Test
  void andNeverPastTheFirstExpiryCountedOnRedisClock() {
    // Redis' clock is far from the service's: only the difference between its two times counts
    JsonObject reply = full(null);
    reply.getJsonObject("full").put("now", 9_000_000L).put("nextExpiry", 9_000_300L);
    soldOut.learn("e", reply, T0, soldOut.freed());
    assertNotNull(soldOut.refusal(quantity(1), T0 + 224));
    assertNull(soldOut.refusal(quantity(1), T0 + 225), "one hold renews the report");
    assertNotNull(soldOut.refusal(quantity(1), T0 + 299));
    assertNull(soldOut.refusal(quantity(1), T0 + 300));
  }

  @Test
  void aFailedCallEndsIt() {
    soldOut.learn("e", full(null), T0, soldOut.freed());
    assertNull(soldOut.refusal(quantity(1), T0 + TRUST_MS * 3 / 4), "the renewing hold");
    soldOut.drop("e"); // its call timed out
    assertNull(soldOut.refusal(quantity(1), T0 + TRUST_MS * 3 / 4 + 1));
  }

  @Test
  void seatsComingFreeEndItAlsoForCallsInFlight() {
    soldOut.learn("e", full(null), T0, soldOut.freed());
    soldOut.forget("e");
    assertNull(soldOut.refusal(quantity(1), T0 + 1));

    long freedBefore = soldOut.freed();
    soldOut.forget("other"); // a cancel anywhere while the call was on its way
    soldOut.learn("e", full(null), T0, freedBefore);
    assertNull(soldOut.refusal(quantity(1), T0 + 1));
  }

  @Test
  void aReplyWithoutFullOrNoTrustEndsIt() {
    soldOut.learn("e", full(null), T0, soldOut.freed());
    soldOut.learn("e", new JsonObject().put("fail", "unavailable"), T0 + 1, soldOut.freed());
    assertNull(soldOut.refusal(quantity(1), T0 + 2));

    SoldOutEvents never = new SoldOutEvents(0);
    never.learn("e", full(null), T0, never.freed());
    assertNull(never.refusal(quantity(1), T0));
  }

  @Test
  void refusesAsTheScriptWould() {
    soldOut.learn("e", full(new int[] {30, 20}), T0, soldOut.freed());
    CommandFailure insufficient = soldOut.refusal(quantity(3), T0);
    assertEquals(new JsonObject().put("type", "insufficient").put("detail", "not enough free seats")
      .put("available", 0), insufficient.problem());
    CommandFailure unavailable = soldOut.refusal(seats("A1", "AD20"), T0);
    assertEquals(new JsonObject().put("type", "unavailable").put("detail", "some seats are taken")
      .put("unavailable", new JsonArray(List.of("A1", "AD20"))), unavailable.problem());
  }

  @Test
  void leavesToRedisWhatItCannotAnswerTheSame() {
    soldOut.learn("e", full(new int[] {30, 20}), T0, soldOut.freed());
    // row 31 (AE), seat 21, a leading zero, no number, no row, lower case, named twice: not the grid's
    for (String seat : List.of("AE1", "A21", "A01", "A0", "AA", "12", "a1")) {
      assertNull(soldOut.refusal(seats(seat), T0), seat);
    }
    assertNull(soldOut.refusal(seats("A1", "A1"), T0));
    assertNull(soldOut.refusal(quantity(1).put("idempotencyKey", "k"), T0));
    assertNull(soldOut.refusal(quantity(1).put("eventId", "another"), T0));

    soldOut.learn("listed", full(null), T0, soldOut.freed());
    assertNull(soldOut.refusal(seats("A1").put("eventId", "listed"), T0));
    assertNotNull(soldOut.refusal(quantity(1).put("eventId", "listed"), T0));
  }

  /** A hold script's reply saying the event is full, on a grid of {rows, seatsPerRow} or a listed event. */
  private static JsonObject full(int[] grid) {
    JsonObject full = new JsonObject().put("now", T0);
    if (grid != null) {
      full.put("rows", grid[0]).put("seatsPerRow", grid[1]);
    }
    return new JsonObject().put("fail", "insufficient").put("full", full);
  }

  private static JsonObject quantity(int quantity) {
    return new JsonObject().put("eventId", "e").put("userId", "u").put("quantity", quantity);
  }

  private static JsonObject seats(String... seats) {
    return new JsonObject().put("eventId", "e").put("userId", "u").put("seats", new JsonArray(List.of(seats)));
  }
}
