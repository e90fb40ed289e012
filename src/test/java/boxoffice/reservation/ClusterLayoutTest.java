package boxoffice.reservation;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.EventState;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class ClusterLayoutTest {

  @Test
  void eventsOnEveryMasterWorkAndKeepAllTheirKeysInOneSlot(Vertx vertx, TestCluster cluster) {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    Set<Integer> owners = new HashSet<>();
    try {
      for (int third = 0; third < 3; third++) {
        String id = TestCluster.eventIdInThird("layout", third);
        api.createEvent(id, 3, 4, 900);
        String kept = api.hold(id, "u1", List.of("A1", "A2")).await().bodyAsJsonObject().getString("reservationId");
        String dropped = api.holdQuantity(id, "u2", 3).await().bodyAsJsonObject().getString("reservationId");
        assertEquals(200, api.confirm(id, kept, "u1").await().statusCode());
        assertEquals(200, api.cancel(id, dropped, "u2").await().statusCode());
        HttpResponse<Buffer> event = api.get("/events/" + id).await();
        assertEquals(2, event.bodyAsJsonObject().getInteger("sold"));
        assertEquals(10, event.bodyAsJsonObject().getInteger("available"));
        EventState.read(vertx, cluster, id).assertInvariants();

        int slot = TestCluster.slot("{event:" + id + "}");
        int owner = cluster.masterOf(slot);
        owners.add(owner);
        for (int node : cluster.masters()) {
          List<String> keys = Arrays.stream(cluster.cli(node, "keys", "*" + id + "*").split("\n"))
            .map(String::trim).filter(k -> !k.isEmpty()).toList();
          if (node == owner) {
            assertTrue(keys.size() >= 7, "the event's keys are on its owner: " + keys);
            keys.forEach(key -> assertEquals(slot, TestCluster.slot(key), key + " is in the event's slot"));
          } else {
            assertEquals(List.of(), keys, "no key of the event on node " + node);
          }
        }
      }
      assertEquals(3, owners.size(), "the three events live on the three masters");
    } finally {
      api.close();
      app.close().await();
    }
  }
}
