package boxoffice.resilience;

import boxoffice.testing.EventState;
import boxoffice.testing.Load;
import boxoffice.testing.TestCluster;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the resilience scenarios wait for and check. */
final class Scenarios {

  private Scenarios() {
  }

  /** Waits until a node other than the old master serves the slot; returns when (ms). */
  static long awaitNewMaster(TestCluster cluster, int slot, int oldMaster, long timeoutMs) throws InterruptedException {
    return awaitNewMaster(slot, oldMaster, cluster::masterOf, timeoutMs);
  }

  /** The same, with the master of a slot as {@code masterOf} finds it. */
  static long awaitNewMaster(int slot, int oldMaster, IntUnaryOperator masterOf, long timeoutMs)
    throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (masterOf.applyAsInt(slot) != oldMaster) {
          return System.currentTimeMillis();
        }
      } catch (IllegalStateException noMasterYet) {
        // the slot is unserved until the promotion
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no replica took over slot " + slot);
  }

  /** A manual failover (the replica takes over once it has all of the master's writes), retried if it times out. */
  static void failover(TestCluster cluster, int replica, int slot, int master) throws InterruptedException {
    for (int attempt = 0; attempt < 3; attempt++) {
      cluster.cli(replica, "cluster", "failover");
      try {
        awaitNewMaster(cluster, slot, master, 6_000);
        return;
      } catch (AssertionError timedOut) {
        // the handshake with the master timed out; ask again
      }
    }
    throw new AssertionError("node " + replica + " did not take over from " + master);
  }

  /** After the scenario: no confirmed sale lost, and every event's invariants hold. */
  static void assertConsistent(Vertx vertx, TestCluster cluster, Load load, List<String> events) {
    assertConsistent(eventId -> EventState.read(vertx, cluster, eventId), load, events);
  }

  /** The same, with each event's state read by {@code state} (from its current master). */
  static void assertConsistent(Function<String, EventState> state, Load load, List<String> events) {
    assertSalesKept(state, load.sales());
    for (String event : events) {
      state.apply(event).assertInvariants();
    }
  }

  /** Every sale answered 200 is sold to its reservation on the event's current master. */
  private static void assertSalesKept(Function<String, EventState> read, List<Load.Sale> sales) {
    assertTrue(!sales.isEmpty(), "sales were made");
    Map<String, List<Load.Sale>> byEvent = sales.stream().collect(Collectors.groupingBy(Load.Sale::eventId));
    byEvent.forEach((eventId, eventSales) -> {
      EventState state = read.apply(eventId);
      for (Load.Sale sale : eventSales) {
        for (String seat : sale.seats()) {
          assertEquals("sold:" + sale.reservationId(), state.seats().get(seat), "confirmed seat " + seat + " of " + eventId);
        }
      }
    });
  }
}
