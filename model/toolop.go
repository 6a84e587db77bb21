package model

// ToolOp is one OSS call of a partner tool's sequence, replayed by `stsdeck probe --as NAME`
// (the OSS adapter's Replay): the API operation and where it points.
type ToolOp struct {
	Op        string // ListBuckets, GetBucketInfo, GetBucketLocation, ListObjects, HeadObject, GetObject, PutObject, InitiateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload, AbortMultipartUpload
	Bucket    string
	Key       string // object calls
	Prefix    string // ListObjects
	Delimiter string // ListObjects
}
