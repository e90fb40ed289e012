package boxoffice.redis;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.BitSet;

/**
 * Readiness as the cluster itself reports it through the client: {@code cluster_state:ok}, and every
 * slot served by a master that no node has flagged as failing.
 */
public final class ClusterHealth {

  static final int SLOTS = 16384;

  private ClusterHealth() {
  }

  /** {"ready": bool, "reason"?: text, "slotsCovered": n, "failing": [nodes]} */
  public static Future<JsonObject> check(ClusterConnection connection) {
    Future<String> info = connection.send(Request.cmd(Command.CLUSTER).arg("INFO")).map(Object::toString);
    Future<String> nodes = connection.send(Request.cmd(Command.CLUSTER).arg("NODES")).map(Object::toString);
    return Future.all(info, nodes)
      .map(both -> evaluate(info.result(), nodes.result()))
      .otherwise(err -> new JsonObject().put("ready", false).put("reason", "cluster unreachable: " + err.getMessage()));
  }

  static JsonObject evaluate(String info, String nodes) {
    String state = info.lines()
      .filter(l -> l.startsWith("cluster_state:"))
      .map(l -> l.substring("cluster_state:".length()).trim())
      .findFirst().orElse("unknown");
    BitSet covered = new BitSet(SLOTS);
    JsonArray failing = new JsonArray();
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
      }
    }
    int slots = covered.cardinality();
    JsonObject result = new JsonObject()
      .put("ready", "ok".equals(state) && slots == SLOTS)
      .put("clusterState", state)
      .put("slotsCovered", slots)
      .put("failingNodes", failing);
    if (!"ok".equals(state)) {
      result.put("reason", "cluster_state is " + state);
    } else if (slots < SLOTS) {
      result.put("reason", (SLOTS - slots) + " slots have no healthy master");
    }
    return result;
  }
}
