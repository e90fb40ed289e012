package boxoffice.bus;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.impl.MessageImpl;
import io.vertx.core.json.JsonObject;

/**
 * JSON objects handed over on the event bus rather than copied: the default codec copies a
 * {@code JsonObject} on every local delivery, so that sender and receiver never share one. The HTTP
 * verticle's commands and their replies are built for one message and never touched again by their
 * sender, so the copy is pure cost (two a request). Messages to other processes go as JSON text, like
 * the default codec's; a command that did not come handed over (from another process, from another
 * consumer) is answered with the default codec.
 */
public final class Handover {

  private static final HandedOver<JsonObject> CODEC =
    new HandedOver<>("boxoffice.handover", JsonObject::toBuffer, JsonObject::new);
  /** For a command handed over to its handler. */
  public static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(CODEC.name());

  /** Registers the codec on the bus before any verticle sends with it (again: replaces it). */
  public static void register(EventBus bus) {
    bus.unregisterCodec(CODEC.name());
    bus.registerCodec(CODEC);
  }

  private Handover() {
  }

  /** How to reply to {@code command}: handed over when it came so, as usual otherwise. */
  static DeliveryOptions replyOptions(Message<?> command) {
    return command instanceof MessageImpl<?, ?> message && message.codec() == CODEC ? OPTIONS : new DeliveryOptions();
  }
}
