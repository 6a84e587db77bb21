package stsemu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/stsdeck/stsdeck/model/atomicfile"
)

// Certificate file names in the TLS dir. The certificate is public (0644); the key is 0600.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

// EnsureCert returns a self-signed certificate for 127.0.0.1, ::1 and localhost, kept in dir:
// reused while it is valid for at least another day, otherwise generated at runtime. It returns
// the certificate and the path of its PEM file (for clients: SSL_CERT_FILE, ca_file).
func EnsureCert(dir string, now time.Time) (tls.Certificate, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", err
	}
	cp, kp := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	if c, err := tls.LoadX509KeyPair(cp, kp); err == nil && c.Leaf != nil {
		if now.Add(24*time.Hour).Before(c.Leaf.NotAfter) && now.After(c.Leaf.NotBefore) && hasLoopbackSAN(c.Leaf) {
			return c, cp, nil
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "stsdeck sandbox", Organization: []string{"stsdeck sandbox (self-signed)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := atomicfile.Write(kp, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("tls key: %w", err)
	}
	if err := atomicfile.Write(cp, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("tls cert: %w", err)
	}
	c, err := tls.LoadX509KeyPair(cp, kp)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if c.Leaf == nil {
		return tls.Certificate{}, "", errors.New("tls: certificate did not parse")
	}
	return c, cp, nil
}

func hasLoopbackSAN(c *x509.Certificate) bool {
	for _, ip := range c.IPAddresses {
		if ip.Equal(net.ParseIP("127.0.0.1")) {
			return true
		}
	}
	return false
}
