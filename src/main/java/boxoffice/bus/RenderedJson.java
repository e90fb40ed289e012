package boxoffice.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * A reply that is already JSON text, such as a seat map of 100,000 seats, passed on the event bus as
 * it is: nobody writes to it once rendered, so it needs no copy per delivery (a {@link Buffer} body
 * would be copied).
 */
public record RenderedJson(Buffer bytes) {

  /** Registers the codec on the bus before any verticle replies with one (again: replaces it). */
  public static void register(EventBus bus) {
    bus.unregisterDefaultCodec(RenderedJson.class);
    bus.registerDefaultCodec(RenderedJson.class, new Codec());
  }

  private static final class Codec implements MessageCodec<RenderedJson, RenderedJson> {

    @Override
    public void encodeToWire(Buffer wire, RenderedJson json) {
      wire.appendInt(json.bytes().length()).appendBuffer(json.bytes());
    }

    @Override
    public RenderedJson decodeFromWire(int pos, Buffer wire) {
      int length = wire.getInt(pos);
      return new RenderedJson(wire.getBuffer(pos + 4, pos + 4 + length));
    }

    @Override
    public RenderedJson transform(RenderedJson json) {
      return json;
    }

    @Override
    public String name() {
      return "boxoffice.rendered-json";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
