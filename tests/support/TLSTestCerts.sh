#!/bin/sh
# TLSTestCerts.sh DIR - generate the TLS/DTLS test PKI into DIR with the
# openssl CLI (EC P-256 keys, fast). Nothing is checked in: tests call this
# at run time through TLSTestCerts.h. Files (key = <name>.key):
#
#   ca.crt                 root CA          int.crt        intermediate CA
#   ca-dir/                ca.crt, hashed (openssl rehash) for CA-directory tests
#   server.crt             leaf, SAN localhost + 127.0.0.1 + ::1 (by int)
#   server-chain.pem       server.crt + int.crt (likewise for every leaf below)
#   server-rsa.crt         like server.crt with an RSA-2048 key; only made
#                          when TLS_TEST_CERTS_RSA=1 (benchmarks)
#   client.crt             clientAuth leaf
#   expired.crt            valid 2020-01-01 .. 2020-01-02
#   notyet.crt             valid from 2099
#   wronghost.crt          SAN wrong.example.com only
#   revoked.crt            revoked in crl.pem
#   www.crt                SAN www.example.com        (SNI)
#   wild.crt               SAN *.api.example.com      (SNI wildcard)
#   selfsigned.crt         self-signed, SAN localhost + 127.0.0.1
#   other-ca.crt           unrelated root; otherca-server.crt is its leaf
#   crl.pem                root CRL + intermediate CRL listing revoked.crt
#   crl-clean.pem          the same two CAs, nothing revoked yet
#   ocsp-good.der          OCSP response: server.crt good (signed by int)
#   ocsp-revoked.der       OCSP response: revoked.crt revoked
set -eu

DIR=${1:?usage: TLSTestCerts.sh DIR}
mkdir -p "$DIR"
cd "$DIR"

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 30
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

KEYALG="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
# shellcheck disable=SC2086 # KEYALG is a list of options
key() { openssl genpkey $KEYALG -out "$1.key" 2>/dev/null; }

cadir() {
  mkdir -p "$1/new"
  : > "$1/index.txt"
  echo 1000 > "$1/serial"
  echo 1000 > "$1/crlnumber"
}

root() { # name CN
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$1.crt" 2>/dev/null
  cadir "$1.db"
}

# Every openssl ca run parses the whole config, $ENV::SAN included.
SAN=DNS:unused.invalid
export SAN

# sign NAME CN ISSUER EXT SAN [extra openssl ca args...]
sign() {
  name=$1 cn=$2 issuer=$3 ext=$4 san=$5
  shift 5
  key "$name"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  CADIR=$issuer.db SAN=$san openssl ca -batch -notext \
    -config ca.cnf -extensions "$ext" -cert "$issuer.crt" -keyfile "$issuer.key" \
    -in "$name.csr" -out "$name.crt" "$@" 2>/dev/null
  rm -f "$name.csr"
  if [ "$issuer" = int ]; then cat "$name.crt" int.crt > "$name-chain.pem"; fi
}

root ca "libsocket Test Root CA"
sign int "libsocket Test Intermediate CA" ca v3_int -
cadir int.db

LOCAL="DNS:localhost,IP:127.0.0.1,IP:::1"
sign server localhost int v3_server "$LOCAL"
if [ "${TLS_TEST_CERTS_RSA:-0}" = 1 ]; then
  KEYALG="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
  sign server-rsa localhost int v3_server "$LOCAL"
  KEYALG="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
fi
sign client "libsocket test client" int v3_client -
sign expired localhost int v3_server "$LOCAL" \
  -startdate 20200101000000Z -enddate 20200102000000Z
sign notyet localhost int v3_server "$LOCAL" \
  -startdate 20990101000000Z -enddate 20991231000000Z
sign wronghost wrong.example.com int v3_server DNS:wrong.example.com
sign revoked localhost int v3_server "$LOCAL"
sign www www.example.com int v3_server DNS:www.example.com
sign wild "*.api.example.com" int v3_server "DNS:*.api.example.com"

root other-ca "Unrelated Test Root CA"
sign otherca-server localhost other-ca v3_server "$LOCAL"
cat otherca-server.crt other-ca.crt > otherca-server-chain.pem

key selfsigned
openssl req -x509 -new -key selfsigned.key -subj /CN=localhost -days 3650 \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out selfsigned.crt 2>/dev/null

mkdir -p ca-dir
cp ca.crt ca-dir/ca.crt
openssl rehash ca-dir 2>/dev/null || c_rehash ca-dir >/dev/null 2>&1

crl() { # issuer out
  CADIR=$1.db openssl ca -batch -config ca.cnf -gencrl -cert "$1.crt" \
    -keyfile "$1.key" -out "$2" 2>/dev/null
}
crl ca ca.crl
crl int int-clean.crl
cat ca.crl int-clean.crl > crl-clean.pem
CADIR=int.db openssl ca -batch -config ca.cnf -revoke revoked.crt \
  -cert int.crt -keyfile int.key 2>/dev/null
crl int int.crl
cat ca.crl int.crl > crl.pem

ocsp() { # cert out
  openssl ocsp -index int.db/index.txt -rsigner int.crt -rkey int.key \
    -CA int.crt -issuer int.crt -cert "$1" -ndays 7 -respout "$2" \
    >/dev/null 2>&1
}
ocsp server.crt ocsp-good.der
ocsp revoked.crt ocsp-revoked.der

test -s ocsp-good.der && test -s crl.pem && test -s server-chain.pem
echo ok
