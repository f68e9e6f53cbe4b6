package gosocket

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a throwaway PKI written to a temporary directory as PEM, for
// the C context loaders, and held as crypto/tls values for Go peers: a
// CA, a server leaf for localhost/127.0.0.1/::1, a client leaf, and a
// second CA with its own "localhost" leaf that the first CA's trusters do
// not know.
type testPKI struct {
	dir                     string
	caFile                  string
	serverCert, serverKey   string
	clientCert, clientKey   string
	rogueCert, rogueKey     string // leaf for localhost signed by the other CA
	otherCAFile             string
	caPool                  *x509.CertPool
	server, client, rogue   tls.Certificate
	serverLeaf              *x509.Certificate
	ca                      *x509.Certificate // issuer of server and client
	caKey                   *ecdsa.PrivateKey
	serverSPKI, otherCASPKI [32]byte
}

type certSpec struct {
	cn       string
	dns      []string
	ips      []net.IP
	isCA     bool
	client   bool
	parent   *x509.Certificate
	parentKy *ecdsa.PrivateKey
}

func makeCert(t testing.TB, s certSpec) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: s.cn, Organization: []string{"libsocket test"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
	}
	if s.isCA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if s.client {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
	}
	parent, pkey := s.parent, s.parentKy
	if parent == nil {
		parent, pkey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, pkey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	write := func(name string, b []byte) string {
		path := filepath.Join(p.dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pair := func(certPEM, keyPEM []byte) tls.Certificate {
		c, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca, caKey, caPEM, _ := makeCert(t, certSpec{cn: "libsocket test CA", isCA: true})
	p.caFile = write("ca.pem", caPEM)
	p.ca, p.caKey = ca, caKey
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(ca)

	leaf, _, sPEM, sKey := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost"},
		ips: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, parent: ca, parentKy: caKey})
	p.serverLeaf = leaf
	p.serverSPKI = SPKIPin(leaf)
	p.serverCert, p.serverKey = write("server.pem", sPEM), write("server.key", sKey)
	p.server = pair(sPEM, sKey)

	_, _, cPEM, cKey := makeCert(t, certSpec{cn: "client", client: true, parent: ca, parentKy: caKey})
	p.clientCert, p.clientKey = write("client.pem", cPEM), write("client.key", cKey)
	p.client = pair(cPEM, cKey)

	other, otherKey, oPEM, _ := makeCert(t, certSpec{cn: "other CA", isCA: true})
	p.otherCAFile = write("other-ca.pem", oPEM)
	p.otherCASPKI = SPKIPin(other)
	_, _, rPEM, rKey := makeCert(t, certSpec{cn: "localhost", dns: []string{"localhost"},
		ips: []net.IP{net.IPv4(127, 0, 0, 1)}, parent: other, parentKy: otherKey})
	p.rogueCert, p.rogueKey = write("rogue.pem", rPEM), write("rogue.key", rKey)
	p.rogue = pair(rPEM, rKey)
	return p
}
