package dk.eindkomst.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Masks CPR-like digit runs (ten digits, optionally 6-4 with a hyphen) in texts that come from a peer or a parser
 * (SOAP faults and reactions, STS faults, schema validator messages) before they go into exception messages, dead
 * letters or answers.
 */
public final class Redact {
    private Redact() {}

    private static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    public static String cpr(String text) {
        return text == null ? null : CPR_LIKE.matcher(text).replaceAll("**********");
    }

    /**
     * A peer's id (AMQP message id, BeskedId, FileTransferUUID, file name) as it may stand in a ledger key or a
     * file name: the id itself, or {@code sha256:} + its Base64url SHA-256 when it holds a CPR-like run (found by
     * XmlFuzzTest: a BeskedId {@code urn:uuid:0101604321} passes the schema). Base64url, not hex: 64 hex digits
     * often hold ten decimal digits in a row (CPR-like themselves); the mask is for the rare Base64 text that still
     * does (the same id still gives the same key). Assumption: a ledger written before this rule knew such an id
     * unhashed; its message or file would be handled once more.
     */
    public static String id(String id) {
        if (id == null || cpr(id).equals(id)) return id;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + cpr(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
