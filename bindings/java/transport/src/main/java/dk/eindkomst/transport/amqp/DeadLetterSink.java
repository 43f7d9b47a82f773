package dk.eindkomst.transport.amqp;

/**
 * Where bad messages go before they are acknowledged. Return only when the letter is durably kept;
 * throwing leaves the message on the queue. {@link BeskedfordelerConsumer} publishes to a broker queue
 * when configured with {@link ConsumerConfig.Builder#deadLetterQueue(String)}; against the real
 * Beskedfordeler, whose receiver credentials cannot publish, use a local store instead.
 */
@FunctionalInterface
public interface DeadLetterSink {
    void store(DeadLetter letter) throws Exception;
}
