package boxoffice.redis;

import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test cluster's nodes announce 127.0.1.1N, where nothing listens, as nodes in Docker announce
 * their container addresses: the client reaches them only through the address map.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class AddressOverrideTest {

  private static RedisSettings settings(TestCluster cluster, JsonObject addressMap) {
    return new RedisSettings(cluster.nodes().stream().map(Object::toString).toList(),
      AddressMap.fromJson(addressMap), 8, 1000, 3000, 1, 1000);
  }

  @Test
  void commandsReachAllThreeMastersThroughTheMap(Vertx vertx, TestCluster cluster) {
    RedisCluster redis = RedisCluster.create(vertx, settings(cluster, cluster.addressMap()));
    try {
      ClusterConnection connection = redis.connect().await();
      Set<Integer> masters = new java.util.HashSet<>();
      for (int third = 0; third < 3; third++) {
        String key = "{event:" + TestCluster.eventIdInThird("override", third) + "}";
        connection.send(Request.cmd(Command.SET).arg(key).arg("v" + third)).await();
        assertEquals("v" + third, connection.send(Request.cmd(Command.GET).arg(key)).await().toString());
        masters.add(cluster.masterOf(TestCluster.slot(key)));
      }
      assertEquals(3, masters.size(), "the keys live on three different masters");
      JsonObject counters = redis.addressMap().counters();
      assertTrue(counters.getLong("remapped") >= 3, "connections to the announced nodes were remapped: " + counters);
    } finally {
      redis.close().await();
    }
  }

  @Test
  void withoutTheMapTheAnnouncedNodesCannotBeReached(Vertx vertx, TestCluster cluster) {
    RedisCluster redis = RedisCluster.create(vertx, settings(cluster, new JsonObject()));
    try {
      String key = "{event:" + TestCluster.eventIdInThird("nomap", 1) + "}";
      Exception failure = assertThrows(Exception.class, () -> redis.connect()
        .compose(connection -> connection.send(Request.cmd(Command.SET).arg(key).arg("v")))
        .await(), "the seeds answer, but the nodes they announce are unreachable");
      assertTrue(String.valueOf(failure.getMessage()).contains("127.0.1.1"),
        "the client tried an announced address: " + failure);
    } finally {
      redis.close().await();
    }
  }

  @Test
  void askAndMovedRedirectsAreFollowedThroughTheMap(Vertx vertx, TestCluster cluster) throws InterruptedException {
    String key = "{event:" + TestCluster.eventIdInThird("redirect", 0) + "}";
    String sibling = key + ":seats";
    int slot = TestCluster.slot(key);
    int source = cluster.masterOf(slot);
    int target = cluster.masters().stream().filter(n -> n != source).findFirst().orElseThrow();
    String sourceId = cluster.cli(source, "cluster", "myid").trim();
    String targetId = cluster.cli(target, "cluster", "myid").trim();

    RedisCluster redis = RedisCluster.create(vertx, settings(cluster, cluster.addressMap()));
    try {
      ClusterConnection connection = redis.connect().await();
      connection.send(Request.cmd(Command.SET).arg(key).arg("before")).await();

      // the slot starts moving: the source answers ASK for keys it no longer has
      cluster.cli(target, "cluster", "setslot", String.valueOf(slot), "importing", sourceId);
      cluster.cli(source, "cluster", "setslot", String.valueOf(slot), "migrating", targetId);
      long asks = errorCount(cluster, source, "ASK");
      connection.send(Request.cmd(Command.SET).arg(sibling).arg("asked")).await();
      assertEquals(asks + 1, errorCount(cluster, source, "ASK"), "the source redirected with ASK");
      assertEquals("1", cluster.cli(target, "cluster", "countkeysinslot", String.valueOf(slot)).trim(),
        "the new key was written on the target, reached through the map");

      // the slot moves: the source answers MOVED
      cluster.cli(source, "migrate", "127.0.0.1", String.valueOf(cluster.port(target)), "", "0", "5000",
        "keys", key);
      for (int node : cluster.masters()) {
        cluster.cli(node, "cluster", "setslot", String.valueOf(slot), "node", targetId);
      }
      long moved = errorCount(cluster, source, "MOVED");
      assertEquals("before", connection.send(Request.cmd(Command.GET).arg(key)).await().toString());
      assertEquals("asked", connection.send(Request.cmd(Command.GET).arg(sibling)).await().toString());
      assertTrue(errorCount(cluster, source, "MOVED") > moved, "the source redirected with MOVED");
    } finally {
      redis.close().await();
      // give the slot back the way it came, so the lab layout holds for the other tests: the source
      // takes it while importing, which raises its config epoch above the target's; a slot handed
      // back without that keeps the target's higher epoch in the gossip of the target's replica, and
      // the nodes end up disagreeing about its owner
      for (int node : List.of(source, target)) {
        cluster.cli(node, "cluster", "setslot", String.valueOf(slot), "stable");
      }
      if (cluster.masterOf(slot) != source) {
        cluster.cli(source, "cluster", "setslot", String.valueOf(slot), "importing", targetId);
        cluster.cli(target, "cluster", "setslot", String.valueOf(slot), "migrating", sourceId);
        cluster.cli(target, "migrate", "127.0.0.1", String.valueOf(cluster.port(source)), "", "0", "5000",
          "keys", key, sibling);
        cluster.cli(source, "cluster", "setslot", String.valueOf(slot), "node", sourceId);
        for (int node : cluster.masters()) {
          if (node != source) {
            cluster.cli(node, "cluster", "setslot", String.valueOf(slot), "node", sourceId);
          }
        }
      }
      cluster.awaitAgreement();
    }
  }

  /** How many errors of a kind (ASK, MOVED) a node has answered, from INFO errorstats. */
  private static long errorCount(TestCluster cluster, int node, String kind) {
    Matcher m = Pattern.compile("errorstat_" + kind + ":count=(\\d+)").matcher(cluster.cli(node, "info", "errorstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
