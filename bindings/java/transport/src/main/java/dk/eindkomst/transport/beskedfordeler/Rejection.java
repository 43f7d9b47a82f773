package dk.eindkomst.transport.beskedfordeler;

import dk.eindkomst.transport.Redact;

/** Why a message goes to the dead-letter sink instead of the handler: a stable code and a text without personal data. */
final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Rejection(String code, String text) {
        super(Redact.cpr(text), null, false, false);
        this.code = code;
    }
}
