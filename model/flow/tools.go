package flow

import (
	"strings"

	"github.com/stsdeck/stsdeck/model/policy"
)

// "Will it work in ⟨tool⟩?": the calls partner tools make before and around an upload, as data,
// run through the preview engine before a token is issued. Each sequence says where it comes
// from. The OSS Go SDK v2 uploader's was read in its source (alibabacloud-oss-go-sdk-v2 v1.6.1
// oss/uploader.go: PutObject for a body under the part size, else InitiateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload on failure, and ListParts through
// NewListPartsPaginator when resuming from a checkpoint). The others are taken from the tools'
// documented behaviour (ossutil and aliyun oss command references, ossbrowser's and ali-oss's
// READMEs) and are UNCONFIRMED against wire captures: /work/shared/testdata/wire holds none of
// them.

// ToolCall is one call a tool makes. Key and Prefix are relative to the operator's prefix:
// "{prefix}" stands for it, "{file}" for an object under it.
type ToolCall struct {
	Op     string `json:"op"`     // the OSS API operation, e.g. ListObjects
	Action string `json:"action"` // the RAM action it needs, e.g. oss:ListObjects
	// Level: "service" (acs:oss:*:<account>:*), "bucket" or "object".
	Level string `json:"level"`
	// Key is the object key pattern for object-level calls.
	Key string `json:"key,omitempty"`
	// ListPrefix and Delimiter are the listing's oss:Prefix and oss:Delimiter.
	ListPrefix string `json:"list_prefix,omitempty"`
	Delimiter  string `json:"delimiter,omitempty"`
	// Optional: the tool goes on when the call is denied (a fallback or a nicety).
	Optional bool   `json:"optional,omitempty"`
	Why      string `json:"why"`
}

// Tool is a partner tool and its call sequence.
type Tool struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Source      string     `json:"source"`
	Calls       []ToolCall `json:"calls"`
}

// Tools are the tools stsdeck knows, by name.
var Tools = []Tool{
	{Name: "ossbrowser", Description: "ossbrowser (the graphical client), logged in with an STS token and a preset OSS path, browsing and uploading one file",
		Source: "ossbrowser README (login with STS token, preset OSS path); sequence UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "ListBuckets", Action: "oss:ListBuckets", Level: "service", Optional: true, Why: "the bucket list on login (skipped with a preset path; a denial is shown and browsing goes on)"},
			{Op: "GetBucketInfo", Action: "oss:GetBucketInfo", Level: "bucket", Optional: true, Why: "the bucket's region and ACL for the preset path"},
			{Op: "ListObjects", Action: "oss:ListObjects", Level: "bucket", ListPrefix: "{prefix}", Delimiter: "/", Why: "opening the preset folder"},
			{Op: "HeadObject", Action: "oss:GetObject", Level: "object", Key: "{file}", Optional: true, Why: "checking whether the file exists before overwriting"},
			{Op: "InitiateMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "uploads are multipart"},
			{Op: "UploadPart", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each part"},
			{Op: "ListParts", Action: "oss:ListParts", Level: "object", Key: "{file}", Optional: true, Why: "resuming an interrupted upload"},
			{Op: "CompleteMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "finishing the upload"},
			{Op: "ListObjects", Action: "oss:ListObjects", Level: "bucket", ListPrefix: "{prefix}", Delimiter: "/", Why: "refreshing the folder"},
		}},
	{Name: "ossutil-ls", Description: "ossutil ls oss://bucket/prefix",
		Source: "ossutil ls command reference (GetBucket with prefix; -d adds delimiter /); sequence UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "ListObjects", Action: "oss:ListObjects", Level: "bucket", ListPrefix: "{prefix}", Why: "listing under the prefix"},
		}},
	{Name: "ossutil-cp", Description: "ossutil cp FILE oss://bucket/prefix/ (multipart above the threshold, with checkpoint)",
		Source: "ossutil cp command reference (resumable upload above --bigfile-threshold, checkpoint dir); sequence UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "PutObject", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a small file"},
			{Op: "InitiateMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a large file"},
			{Op: "UploadPart", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each part"},
			{Op: "ListParts", Action: "oss:ListParts", Level: "object", Key: "{file}", Optional: true, Why: "resuming from the checkpoint"},
			{Op: "CompleteMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "finishing"},
		}},
	{Name: "ossutil-sync", Description: "ossutil sync DIR oss://bucket/prefix/",
		Source: "ossutil sync command reference (lists the destination to compare, then uploads the difference); sequence UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "ListObjects", Action: "oss:ListObjects", Level: "bucket", ListPrefix: "{prefix}", Why: "what the destination already holds"},
			{Op: "PutObject", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each new or changed file"},
		}},
	{Name: "aliyun-oss", Description: "aliyun oss cp FILE oss://bucket/prefix/ (the aliyun CLI runs ossutil)",
		Source: "aliyun CLI: `aliyun oss` wraps ossutil (aliyun-cli oss/lib); sequence as ossutil cp, UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "PutObject", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a small file"},
			{Op: "InitiateMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a large file"},
			{Op: "UploadPart", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each part"},
			{Op: "CompleteMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "finishing"},
		}},
	{Name: "sdk-v2-uploader", Description: "the OSS Go SDK v2 Uploader (UploadFile) with a checkpoint",
		Source: "alibabacloud-oss-go-sdk-v2 v1.6.1 oss/uploader.go (read): PutObject l.422, InitiateMultipartUpload l.723, UploadPart l.576, CompleteMultipartUpload l.671, AbortMultipartUpload l.681, ListParts l.276",
		Calls: []ToolCall{
			{Op: "ListParts", Action: "oss:ListParts", Level: "object", Key: "{file}", Optional: true, Why: "resuming from the checkpoint"},
			{Op: "PutObject", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a body under the part size"},
			{Op: "InitiateMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "a larger body"},
			{Op: "UploadPart", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each part"},
			{Op: "CompleteMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "finishing"},
			{Op: "AbortMultipartUpload", Action: "oss:AbortMultipartUpload", Level: "object", Key: "{file}", Optional: true, Why: "cleaning up a failed upload"},
		}},
	{Name: "ali-oss-browser", Description: "a browser upload with ali-oss multipartUpload",
		Source: "ali-oss README (multipartUpload with checkpoint: initMultipartUpload, uploadPart, completeMultipartUpload; listParts to resume); sequence UNCONFIRMED",
		Calls: []ToolCall{
			{Op: "InitiateMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "start"},
			{Op: "UploadPart", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "each part"},
			{Op: "ListParts", Action: "oss:ListParts", Level: "object", Key: "{file}", Optional: true, Why: "resuming"},
			{Op: "CompleteMultipartUpload", Action: "oss:PutObject", Level: "object", Key: "{file}", Why: "finishing"},
		}},
}

// ToolNames lists the tools' names.
func ToolNames() []string {
	out := make([]string, len(Tools))
	for i, t := range Tools {
		out[i] = t.Name
	}
	return out
}

// LookupTool finds a tool by name (case-insensitive; "ossutil" means ossutil-cp).
func LookupTool(name string) (Tool, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "ossutil" {
		n = "ossutil-cp"
	}
	for _, t := range Tools {
		if t.Name == n {
			return t, true
		}
	}
	return Tool{}, false
}

// ToolInput is what a tool check needs.
type ToolInput struct {
	Tool              Tool
	Bucket, Prefix    string
	AccountID, Region string
	Identity          []*policy.Policy // the role's policies; nil = unknown
	Session           *policy.Policy   // nil = none
	SessionDoc        string           // the session policy as written (for the suggested policy)
	// File is the object name the upload uses under the prefix (default "stsdeck-tool-check.bin").
	File string
}

// ToolStep is one call's verdict.
type ToolStep struct {
	ToolCall
	Resource   string        `json:"resource"`
	Verdict    string        `json:"verdict"` // Allow, Deny, Unknown
	Layer      string        `json:"layer,omitempty"`
	Reason     string        `json:"reason,omitempty"`
	Suggestion *FixStatement `json:"suggestion,omitempty"` // the smallest session-policy addition
}

// ToolCheck is the whole answer.
type ToolCheck struct {
	Tool  string     `json:"tool"`
	Steps []ToolStep `json:"steps"`
	// Works: every required call is known to be allowed. FirstFailure indexes the first denied
	// required call (-1 = none).
	Works        bool `json:"works"`
	FirstFailure int  `json:"first_failure"`
	// Suggested is the session policy with every suggestion added (when a session policy was given).
	Suggested string `json:"suggested_policy,omitempty"`
}

// CheckTool runs a tool's calls through the engine.
func CheckTool(in ToolInput) ToolCheck {
	region, acct := in.Region, in.AccountID
	if region == "" {
		region = "*"
	}
	if acct == "" {
		acct = "*"
	}
	file := in.File
	if file == "" {
		file = "stsdeck-tool-check.bin"
	}
	out := ToolCheck{Tool: in.Tool.Name, Works: true, FirstFailure: -1}
	var adds []*FixStatement
	for _, c := range in.Tool.Calls {
		st := ToolStep{ToolCall: c}
		ctx := map[string][]string{}
		switch c.Level {
		case "service":
			st.Resource = "acs:oss:*:" + acct + ":*"
		case "bucket":
			st.Resource = "acs:oss:" + region + ":" + acct + ":" + in.Bucket
			if c.ListPrefix != "" || c.Op == "ListObjects" {
				ctx[policy.KeyPrefix] = []string{strings.ReplaceAll(c.ListPrefix, "{prefix}", in.Prefix)}
				st.ListPrefix = ctx[policy.KeyPrefix][0]
			}
			if c.Delimiter != "" {
				ctx[policy.KeyDelimiter] = []string{c.Delimiter}
			}
		default:
			key := strings.ReplaceAll(c.Key, "{file}", in.Prefix+file)
			st.Key = key
			st.Resource = "acs:oss:" + region + ":" + acct + ":" + in.Bucket + "/" + key
		}
		ex := Explain(ExplainInput{Action: c.Action, Resource: st.Resource, Context: ctx, Identity: in.Identity, Session: in.Session,
			Principal: policy.Principal{AccountID: in.AccountID, Type: "role"}})
		switch {
		case ex.Decision == policy.DecisionAllow:
			st.Verdict = VerdictAllow
		case in.Identity == nil && (in.Session == nil || ex.Layers["session"] == policy.OutcomeAllow):
			st.Verdict, st.Reason = VerdictUnknown, "the role's policies are not known (give --role with a connection)"
			if !c.Optional {
				out.Works = false
			}
		default:
			st.Verdict, st.Layer = VerdictDeny, string(ex.DecidedBy)
			if in.Identity == nil || ex.Layers["session"] != policy.OutcomeAllow && in.Session != nil {
				st.Layer = "session"
			}
			st.Reason = c.Action + " on " + st.Resource + " is not allowed by " + layerWords(st.Layer)
			sug := &FixStatement{Effect: "Allow", Action: []string{c.Action}, Resource: []string{st.Resource}}
			if c.Level == "bucket" && c.Action == "oss:ListObjects" {
				sug.Condition = map[string]map[string][]string{"StringLike": {policy.KeyPrefix: {in.Prefix + "*"}}}
				if in.Prefix == "" {
					sug.Condition = nil
				}
			}
			if c.Level == "object" {
				sug.Resource = []string{"acs:oss:" + region + ":" + acct + ":" + in.Bucket + "/" + in.Prefix + "*"}
			}
			st.Suggestion = sug
			if !c.Optional {
				if out.Works {
					out.FirstFailure = len(out.Steps)
				}
				out.Works = false
			}
			adds = appendUniqueFix(adds, sug)
		}
		out.Steps = append(out.Steps, st)
	}
	if in.SessionDoc != "" && len(adds) > 0 {
		doc := in.SessionDoc
		for _, a := range adds {
			if d, err := addStatement(doc, a); err == nil {
				doc = d
			}
		}
		out.Suggested = doc
	}
	return out
}

func appendUniqueFix(list []*FixStatement, s *FixStatement) []*FixStatement {
	for _, x := range list {
		if x.Action[0] == s.Action[0] && x.Resource[0] == s.Resource[0] {
			return list
		}
	}
	return append(list, s)
}
