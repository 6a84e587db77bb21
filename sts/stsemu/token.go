package stsemu

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/stsdeck/stsdeck/model/atomicfile"
)

// Security tokens are sealed with AES-256-GCM under a per-sandbox key kept (0600) in the data
// dir. A token opens to everything the OSS half needs — role, session name, session policy,
// expiry, source AccessKeyId and the temporary secret — so the two halves share no mutable
// state, and a restarted sandbox still accepts the unexpired tokens it issued.

const (
	tokenKeyFile = "token.key"
	tokenPrefix  = "CAIS" // real STS tokens are base64 starting "CAIS"/"CAES"
	tokenAAD     = "stsdeck-sandbox-sts-token-v1"
)

// TokenClaims is the content of a sealed security token.
type TokenClaims struct {
	Version         int    `json:"v"`
	AccessKeyID     string `json:"ak"`  // STS.…
	AccessKeySecret string `json:"sk"`  // the temporary secret
	AccountID       string `json:"acc"` // the role's account
	RoleName        string `json:"rn"`  // as seeded (case preserved)
	RoleID          string `json:"rid"`
	SessionName     string `json:"sn"`
	Policy          string `json:"pol,omitempty"` // session policy as sent, "" = none
	ExternalID      string `json:"ext,omitempty"`
	SourceIdentity  string `json:"si,omitempty"`
	SourceAK        string `json:"src"` // the AccessKeyId that called AssumeRole
	IssuedAt        int64  `json:"iat"` // unix seconds, authorization clock
	Expiration      int64  `json:"exp"` // unix seconds, authorization clock
}

// Expires returns the expiry as a time.
func (c *TokenClaims) Expires() time.Time { return time.Unix(c.Expiration, 0).UTC() }

// Sealer seals and opens security tokens. Safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("token key: want 32 bytes, got %d", len(key))
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// LoadOrCreateSealer reads dir/token.key, creating it (0600) with a fresh random key when absent.
// A key file with other permissions than 0600 or of the wrong size is refused.
func LoadOrCreateSealer(dir string) (*Sealer, error) {
	p := filepath.Join(dir, tokenKeyFile)
	key, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(p, key, 0o600); err != nil {
			return nil, fmt.Errorf("token key: %w", err)
		}
		return NewSealer(key)
	}
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("token key %s: permissions %v are too open (want 0600)", p, st.Mode().Perm())
	}
	s, err := NewSealer(key)
	if err != nil {
		return nil, fmt.Errorf("token key %s: %w", p, err)
	}
	return s, nil
}

// Seal returns the token for c.
func (s *Sealer) Seal(c *TokenClaims) (string, error) {
	c.Version = 1
	pt, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	ns := s.aead.NonceSize()
	buf := make([]byte, ns, ns+len(pt)+s.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	buf = s.aead.Seal(buf, buf[:ns], pt, []byte(tokenAAD))
	return tokenPrefix + base64.StdEncoding.EncodeToString(buf), nil
}

// ErrTokenUnreadable is returned by Open for a token that was not sealed by this key or was altered.
var ErrTokenUnreadable = errors.New("security token cannot be opened")

// maxTokenLen bounds the work Open does on untrusted input.
const maxTokenLen = 16 << 10

// Open authenticates and decodes a token.
func (s *Sealer) Open(tok string) (*TokenClaims, error) {
	if len(tok) > maxTokenLen || len(tok) <= len(tokenPrefix) || tok[:len(tokenPrefix)] != tokenPrefix {
		return nil, ErrTokenUnreadable
	}
	raw, err := base64.StdEncoding.DecodeString(tok[len(tokenPrefix):])
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return nil, ErrTokenUnreadable
	}
	ns := s.aead.NonceSize()
	pt, err := s.aead.Open(nil, raw[:ns], raw[ns:], []byte(tokenAAD))
	if err != nil {
		return nil, ErrTokenUnreadable
	}
	var c TokenClaims
	if err := json.Unmarshal(pt, &c); err != nil || c.Version != 1 || c.AccessKeyID == "" {
		return nil, ErrTokenUnreadable
	}
	return &c, nil
}

const idAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789"

// randomID returns n characters from an unambiguous alphabet.
func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
