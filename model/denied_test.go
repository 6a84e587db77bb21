package model

import "testing"

func TestDeniedBy(t *testing.T) {
	tests := []struct {
		name string
		e    *APIError
		want string
	}{
		{"nil", nil, ""},
		{"session EC", &APIError{Code: "AccessDenied", EC: "0003-00000301"}, "session"},
		{"session message", &APIError{Code: "AccessDenied", Message: "Access denied by authorizer's policy."}, "session"},
		{"bucket policy", &APIError{Code: "AccessDenied", Message: "Access denied by bucket policy.", EC: "0003-00000101"}, "bucket"},
		{"RAM explicit deny with the bucket-policy message", &APIError{Code: "AccessDenied", Message: "Access denied by bucket policy.", EC: "0003-00000201"}, "identity"},
		{"acl", &APIError{Code: "AccessDenied", Message: "You have no right to access this object because of bucket acl."}, "acl"},
		{"anonymous", &APIError{Code: "AccessDenied", EC: "0003-00001201"}, "anonymous"},
		{"wrong endpoint", &APIError{Code: "AccessDenied", Message: "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint."}, "endpoint"},
		{"expired", &APIError{Code: "SecurityTokenExpired"}, "credentials"},
		{"detail only", &APIError{Code: "AccessDenied", AccessDeniedDetail: &AccessDeniedDetail{PolicyType: "BucketPolicy"}}, "bucket"},
		{"not a denial", &APIError{Code: "NoSuchKey", EC: "0026-00000001"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.DeniedBy(); got != tc.want {
				t.Errorf("DeniedBy = %q, want %q", got, tc.want)
			}
		})
	}
}
