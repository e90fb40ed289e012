package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.BitSet;

/**
 * Readiness: {@code cluster_state:ok}, every slot served by a master that no node has flagged as
 * failing, and every one of those masters answering this process through its own connection (the
 * cluster takes a node timeout to flag a dead node; the service notices at once).
 */
public final class ClusterHealth {

  private static final int SLOTS = HashSlot.SLOTS;

  private ClusterHealth() {
  }

  /**
   * {"ready": bool, "reason"?: text, "clusterState", "slotsCovered": n, "failingNodes": [nodes],
   * "unreachableMasters"?: [nodes], "error"?: text}; only "ready" and "reason" are for everyone, and
   * "reason" names no node.
   */
  public static Future<JsonObject> check(ClusterConnection connection) {
    Future<String> info = connection.send(Request.cmd(Command.CLUSTER).arg("INFO")).map(Object::toString);
    Future<String> nodes = connection.send(Request.cmd(Command.CLUSTER).arg("NODES")).map(Object::toString);
    return Future.all(info, nodes)
      .map(both -> evaluate(info.result(), nodes.result()))
      .compose(health -> probeMasters(connection, health))
      .otherwise(err -> new JsonObject().put("ready", false).put("reason", "the cluster does not answer")
        .put("error", err.getMessage()));
  }

  /** Sends EXISTS to a key of each master's first slot, so the client routes it to that master. */
  private static Future<JsonObject> probeMasters(ClusterConnection connection, JsonObject health) {
    JsonObject firstSlots = (JsonObject) health.remove("firstSlots");
    JsonArray unreachable = new JsonArray();
    var probes = firstSlots.stream().map(master -> connection
      .send(Request.cmd(Command.EXISTS).arg(HashSlot.probeKey((Integer) master.getValue())))
      .onFailure(err -> unreachable.add(master.getKey()))).toList();
    return Future.join(probes).otherwiseEmpty().map(done -> {
      if (!unreachable.isEmpty()) {
        health.put("ready", false).put("unreachableMasters", unreachable);
        health.put("reason", unreachable.size() + " masters do not answer");
      }
      return health;
    });
  }

  static JsonObject evaluate(String info, String nodes) {
    String state = info.lines()
      .filter(l -> l.startsWith("cluster_state:"))
      .map(l -> l.substring("cluster_state:".length()).trim())
      .findFirst().orElse("unknown");
    BitSet covered = new BitSet(SLOTS);
    JsonArray failing = new JsonArray();
    JsonObject firstSlots = new JsonObject();
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      String address = f[1].split("[@,]")[0];
      boolean failed = f[2].contains("fail");
      if (failed) {
        failing.add(address);
      }
      if (!f[2].contains("master") || failed) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being migrated, counted at its owner
        }
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        covered.set(from, (range.length == 2 ? Integer.parseInt(range[1]) : from) + 1);
        if (!firstSlots.containsKey(address)) {
          firstSlots.put(address, from);
        }
      }
    }
    int slots = covered.cardinality();
    JsonObject result = new JsonObject()
      .put("ready", "ok".equals(state) && slots == SLOTS)
      .put("clusterState", state)
      .put("slotsCovered", slots)
      .put("failingNodes", failing)
      .put("firstSlots", firstSlots);
    if (!"ok".equals(state)) {
      result.put("reason", "cluster_state is " + state);
    } else if (slots < SLOTS) {
      result.put("reason", (SLOTS - slots) + " slots have no healthy master");
    }
    return result;
  }
}
