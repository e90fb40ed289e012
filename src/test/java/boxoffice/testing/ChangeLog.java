package boxoffice.testing;

import boxoffice.store.Changes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * An event's change log ({@code {event:ID}:changes}), read straight from the master that owns it, each
 * entry as the domain event it stands for ({@link Changes}).
 */
public final class ChangeLog {

  private ChangeLog() {
  }

  public static List<SseClient.Event> read(Vertx vertx, TestCluster cluster, String eventId) {
    String key = "{event:" + eventId + "}:changes";
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + cluster.port(cluster.masterOf(TestCluster.slot(key))));
    try {
      RedisConnection conn = redis.connect().await();
      List<SseClient.Event> entries = new ArrayList<>();
      for (Response entry : conn.send(Request.cmd(Command.XRANGE).arg(key).arg("-").arg("+")).await()) {
        List<String> fields = new ArrayList<>();
        entry.get(1).forEach(field -> fields.add(field.toString()));
        JsonObject event = Changes.event(eventId, fields);
        entries.add(new SseClient.Event(entry.get(0).toString(), event.getString("type"), event));
      }
      conn.close();
      return entries;
    } finally {
      redis.close();
    }
  }
}
