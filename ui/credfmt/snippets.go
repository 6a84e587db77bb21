package credfmt

import (
	"fmt"
	"strconv"
	"strings"
)

// Code snippets for the partner: a small program in their language that uploads one object with
// the exported token against the chosen endpoint and bucket. A snippet holds no secret: it reads
// the token from the environment variables the env / fish / powershell exports set
// (OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN), so it can be mailed, pasted
// into a ticket or kept in a repository.

// SnippetKinds are the languages, in menu order.
var SnippetKinds = []string{"code-go", "code-python", "code-java", "code-node"}

// SnippetTarget is where a snippet uploads.
type SnippetTarget struct {
	Region   string // e.g. cn-hangzhou
	Endpoint string // OSS endpoint URL or host; "" = https://oss-<region>.aliyuncs.com
	Bucket   string
	Key      string // object key, inside the allowed prefix
}

// IsSnippet reports whether kind is one of SnippetKinds.
func IsSnippet(kind string) bool {
	for _, k := range SnippetKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// DescribeSnippet is a kind's menu line ("" for unknown kinds).
func DescribeSnippet(kind string) string {
	return map[string]string{
		"code-go":     "code: Go (alibabacloud-oss-go-sdk-v2) upload with this token from the environment",
		"code-python": "code: Python (oss2) upload with this token from the environment",
		"code-java":   "code: Java (aliyun-sdk-oss) upload with this token from the environment",
		"code-node":   "code: Node.js (ali-oss) upload with this token from the environment",
	}[kind]
}

// SnippetFile is a file name for a kind.
func SnippetFile(kind string) string {
	return map[string]string{"code-go": "stsdeck_upload.go", "code-python": "stsdeck_upload.py",
		"code-java": "StsdeckUpload.java", "code-node": "stsdeck-upload.js"}[kind]
}

func (t SnippetTarget) endpointURL() string {
	ep := t.Endpoint
	if ep == "" {
		ep = "https://oss-" + t.Region + ".aliyuncs.com"
	}
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	return strings.TrimRight(ep, "/")
}

// Snippet renders the program for kind. Values are quoted for each language (strconv.Quote's
// escapes are valid in Go, Java, JavaScript and Python string literals for the characters bucket
// names, keys, regions and URLs hold).
func Snippet(kind string, t SnippetTarget) (string, error) {
	if !IsSnippet(kind) {
		return "", fmt.Errorf("unknown snippet %q: want one of %s", kind, strings.Join(SnippetKinds, ", "))
	}
	if t.Bucket == "" || t.Key == "" {
		return "", fmt.Errorf("a code snippet needs a bucket and an object key")
	}
	if t.Region == "" {
		t.Region = DefaultRegion
	}
	q := strconv.Quote
	ep, region, bucket, key := q(t.endpointURL()), q(t.Region), q(t.Bucket), q(t.Key)
	switch kind {
	case "code-go":
		return `// Upload one object with the STS token from the environment (OSS_ACCESS_KEY_ID,
// OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN). go get github.com/aliyun/alibabacloud-oss-go-sdk-v2
package main

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

func main() {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewEnvironmentVariableCredentialsProvider()).
		WithRegion(` + region + `).
		WithEndpoint(` + ep + `)
	client := oss.NewClient(cfg)
	res, err := client.PutObject(context.Background(), &oss.PutObjectRequest{
		Bucket: oss.Ptr(` + bucket + `),
		Key:    oss.Ptr(` + key + `),
		Body:   strings.NewReader("hello from the partner\n"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded, ETag", oss.ToString(res.ETag))
}
`, nil
	case "code-python":
		return `# Upload one object with the STS token from the environment (OSS_ACCESS_KEY_ID,
# OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN). pip install oss2
import os
import oss2

auth = oss2.StsAuth(os.environ["OSS_ACCESS_KEY_ID"], os.environ["OSS_ACCESS_KEY_SECRET"], os.environ["OSS_SESSION_TOKEN"])
bucket = oss2.Bucket(auth, ` + ep + `, ` + bucket + `, region=` + region + `)
res = bucket.put_object(` + key + `, b"hello from the partner\n")
print("uploaded, ETag", res.etag)
`, nil
	case "code-java":
		return `// Upload one object with the STS token from the environment (OSS_ACCESS_KEY_ID,
// OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN). Maven: com.aliyun.oss:aliyun-sdk-oss
import com.aliyun.oss.OSS;
import com.aliyun.oss.OSSClientBuilder;
import java.io.ByteArrayInputStream;

public class StsdeckUpload {
    public static void main(String[] args) {
        OSS client = new OSSClientBuilder().build(` + ep + `,
            System.getenv("OSS_ACCESS_KEY_ID"), System.getenv("OSS_ACCESS_KEY_SECRET"), System.getenv("OSS_SESSION_TOKEN"));
        try {
            client.putObject(` + bucket + `, ` + key + `, new ByteArrayInputStream("hello from the partner\n".getBytes()));
            System.out.println("uploaded");
        } finally {
            client.shutdown();
        }
    }
}
`, nil
	}
	return `// Upload one object with the STS token from the environment (OSS_ACCESS_KEY_ID,
// OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN). npm install ali-oss
const OSS = require("ali-oss");

const client = new OSS({
  region: "oss-" + ` + region + `,
  endpoint: ` + ep + `,
  accessKeyId: process.env.OSS_ACCESS_KEY_ID,
  accessKeySecret: process.env.OSS_ACCESS_KEY_SECRET,
  stsToken: process.env.OSS_SESSION_TOKEN,
  bucket: ` + bucket + `,
});

client.put(` + key + `, Buffer.from("hello from the partner\n"))
  .then((res) => console.log("uploaded", res.name))
  .catch((err) => { console.error(err); process.exit(1); });
`, nil
}
