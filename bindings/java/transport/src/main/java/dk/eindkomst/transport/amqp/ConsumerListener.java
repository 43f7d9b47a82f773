package dk.eindkomst.transport.amqp;

/** What the consumer reports besides handing messages to the handler. All methods default to no-ops. */
public interface ConsumerListener {
    /** Connected and consuming. */
    default void connected() {}

    /** The connection was lost or could not be made; a new attempt follows after the reconnect delay. */
    default void disconnected(Exception cause) {}

    /** A message whose message id or BeskedId was already handled or dead-lettered; it was acknowledged, not handled again. */
    default void duplicate(String messageId, String beskedId, boolean redelivered) {}

    /** A bad message was stored in the dead-letter sink and acknowledged. */
    default void deadLettered(DeadLetter letter) {}

    /** The handler (or the dead-letter sink) failed; the message stays on the queue and comes again. */
    default void handlerFailed(String messageId, Exception cause) {}
}
