package boxoffice.resilience;

import boxoffice.Boxoffice;
import boxoffice.testing.Api;
import boxoffice.testing.Load;
import boxoffice.testing.RedisClusterExtension;
import boxoffice.testing.TestCluster;
import boxoffice.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes restart under load: a replica dies and comes back, and a master is demoted, killed, restarted
 * and made master again, so that the service must use new sockets to an address whose old ones died.
 */
@ExtendWith({VertxExtension.class, RedisClusterExtension.class})
class RestartTest {

  @Test
  void restartedReplicasAndDemotedMastersCauseNoErrors(Vertx vertx, TestCluster cluster) throws Exception {
    Boxoffice app = TestService.start(vertx, cluster);
    Api api = new Api(vertx, app.httpPort());
    List<String> events = new ArrayList<>();
    for (int third = 0; third < 3; third++) {
      String id = TestCluster.eventIdInThird("restart", third);
      api.createEvent(id, 20, 100, 900);
      events.add(id);
    }
    Load load = Load.start(vertx, api, events, 16);
    try {
      Thread.sleep(1000);
      long start = System.currentTimeMillis();

      int replica = cluster.replicaOf(cluster.masterOf(TestCluster.slot("{event:" + events.get(1) + "}")));
      cluster.kill(replica);
      Thread.sleep(1000);
      cluster.restart(replica);
      cluster.awaitSyncedReplica(replica);

      int slot = TestCluster.slot("{event:" + events.get(2) + "}");
      int master = cluster.masterOf(slot);
      int standby = cluster.replicaOf(master);
      Scenarios.failover(cluster, standby, slot, master);
      cluster.awaitSyncedReplica(master);
      cluster.kill(master); // now a replica
      Thread.sleep(1000);
      cluster.restart(master);
      cluster.awaitSyncedReplica(master);
      Scenarios.failover(cluster, master, slot, standby); // back to master, on an address whose sockets died
      Thread.sleep(1500);
      load.stop();

      List<Load.Call> calls = load.calls(c -> c.start() >= start);
      System.out.printf("restarts: %s%n", Load.summary(calls));
      // a manual failover pauses the master's writers until the replica has caught up: a few calls
      // may be refused then, with a 503 the client can retry; nothing else may fail
      assertTrue(calls.stream().allMatch(c -> c.ok() || (c.status() == 503 && "1".equals(c.retryAfter()))),
        Load.summary(calls));
      long refused = calls.stream().filter(c -> !c.ok()).count();
      assertTrue(refused * 200 <= calls.size(), "under 0.5 % refused: " + Load.summary(calls));
      Scenarios.assertConsistent(vertx, cluster, load, events);
    } finally {
      load.stop();
      api.close();
      app.close().await();
    }
  }
}
