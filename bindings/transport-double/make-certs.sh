#!/usr/bin/env bash
# Makes the throw-away certificates of the transport double in DIR (default: ./certs), with openssl and the
# JDK's keytool. Every key is RSA 2048, valid 2 days; every .p12 has the password "changeit".
#   ca        test CA: issues every certificate below except "stranger"; trust it for TLS (ca.crt, trust.p12)
#   server    TLS server certificate for 127.0.0.1/localhost (STS and services)
#   sts       the STS's token-signing certificate (the double signs every SAML assertion with it)
#   sp        Serviceplatformen's answer-signing certificate (configure it in the client to verify answers)
#   client    the municipality's function certificate, CVR 29189846 (TLS client auth, STS request, message signature)
#   stranger  self-signed, same subject as "client": an unknown certificate the double must refuse
# Files per name: NAME.key (PKCS#8 PEM), NAME.crt (PEM), NAME.p12; plus trust.p12 (ca.crt as trusted entry).
# Idempotent: does nothing when DIR/trust.p12 exists.
set -euo pipefail
dir=${1:-certs}
mkdir -p "$dir"
cd "$dir"
[ -s trust.p12 ] && exit 0
pw=changeit
req() { openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null; }
sign() {  # name [extfile]
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 2 ${2:+-extfile "$2"} 2>/dev/null
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=eindkomst transport double test CA" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
req server "/CN=localhost"
sign server server.ext
req sts "/C=DK/O=eindkomst transport double/CN=STS token signing (test)"
sign sts
req sp "/C=DK/O=eindkomst transport double/CN=SP_TEST_Signing_1"
sign sp
client_subject="/C=DK/O=Test Kommune \/\/ CVR:29189846/serialNumber=CVR:29189846-FID:12345678/CN=eindkomst test (funktionscertifikat)"
req client "$client_subject"
sign client
req stranger "$client_subject"
openssl x509 -req -in stranger.csr -signkey stranger.key -out stranger.crt -days 2 2>/dev/null
for n in server sts sp client stranger; do
  openssl pkcs12 -export -in "$n.crt" -inkey "$n.key" -name "$n" -out "$n.p12" -passout "pass:$pw"
done
rm -f ./*.csr server.ext ca.srl
keytool -importcert -noprompt -alias ca -file ca.crt -storetype PKCS12 -keystore trust.p12.tmp -storepass "$pw" >/dev/null 2>&1
mv trust.p12.tmp trust.p12
