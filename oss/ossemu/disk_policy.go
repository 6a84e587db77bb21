package ossemu

// Bucket policy state persisted by the disk store.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

type policyState struct {
	Policy string `json:"policy"`
}

func (s *DiskStore) BucketPolicy(ctx context.Context, bucket string) (string, bool, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return "", false, err
	}
	data, err := os.ReadFile(filepath.Join(b.dir, "policy.json"))
	if os.IsNotExist(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var st policyState
	if err := json.Unmarshal(data, &st); err != nil {
		return "", false, fmt.Errorf("ossemu: stored policy of bucket %s is corrupt: %w", bucket, err)
	}
	return st.Policy, true, nil
}

func (s *DiskStore) SetBucketPolicy(ctx context.Context, bucket, doc string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	return s.writeJSONAtomic(filepath.Join(b.dir, "policy.json"), policyState{Policy: doc})
}
