package dk.eindkomst.transport.example;

import dk.eindkomst.transport.amqp.BeskedfordelerConsumer;
import dk.eindkomst.transport.amqp.ConsumerConfig;
import dk.eindkomst.transport.amqp.ConsumerListener;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.DirectoryDeadLetterSink;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import java.nio.file.Path;

/**
 * Consumes a queue and prints counts: {@code ConsumeExample <host> <port> <queue> <user> <password> <state-dir>}.
 * The ledger is {@code <state-dir>/ledger}; bad messages are written to {@code <state-dir>/dead} (as against the
 * real Beskedfordeler, where the receiver cannot publish), then acknowledged.
 */
public final class ConsumeExample {
    private ConsumeExample() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[5]);
        try (Ledger ledger = Ledger.open(state.resolve("ledger"))) {
            var config = ConsumerConfig.builder(args[0], Integer.parseInt(args[1]), args[2]).vhost("/").plain(args[3], args[4])
                    .ledger(ledger).deadLetterSink(new DirectoryDeadLetterSink(state.resolve("dead"))).build();
            var listener = new ConsumerListener() {
                @Override public void duplicate(String messageId, String beskedId, boolean redelivered) { System.out.println("duplicate " + beskedId); }
                @Override public void deadLettered(DeadLetter l) { System.out.println("dead letter " + l.key() + ": " + l.errorText()); }
                @Override public void disconnected(Exception cause) { System.out.println("disconnected: " + cause.getMessage()); }
            };
            try (var consumer = new BeskedfordelerConsumer(config, b -> {
                // Store the records durably here; return only when they are stored. After a crash inside this
                // method the message comes again with b.interrupted() set: look for b.beskedId() in your store.
                System.out.println("besked " + b.beskedId() + " (attempt " + b.attempt() + "): " + b.records().size() + " records");
            }, listener)) {
                consumer.start();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
