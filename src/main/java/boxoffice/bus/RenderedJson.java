package boxoffice.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;

/**
 * A reply that is already JSON text, such as a seat map of 100,000 seats, passed on the event bus as
 * it is: nobody writes to it once rendered, so it needs no copy per delivery (a {@link Buffer} body
 * would be copied).
 */
public record RenderedJson(Buffer bytes) {

  /** Registers the codec on the bus before any verticle replies with one (again: replaces it). */
  public static void register(EventBus bus) {
    bus.unregisterDefaultCodec(RenderedJson.class);
    bus.registerDefaultCodec(RenderedJson.class,
      new HandedOver<>("boxoffice.rendered-json", RenderedJson::bytes, RenderedJson::new));
  }
}
