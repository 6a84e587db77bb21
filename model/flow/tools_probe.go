package flow

import (
	"context"
	"errors"

	"github.com/stsdeck/stsdeck/model"
	"github.com/stsdeck/stsdeck/model/service"
)

// ToolReplayer is an OSS client that can replay a tool's calls (the OSS adapter's
// *oss.Client); ObjectClients that cannot are refused by RunToolProbe.
type ToolReplayer interface {
	Replay(ctx context.Context, ops []model.ToolOp) ([]model.ProbeActual, error)
}

// ToolRun is a tool's sequence predicted by the engine and replayed against OSS.
type ToolRun struct {
	ToolCheck
	Actual []model.ProbeActual `json:"actual"`
	Agree  []*bool             `json:"agree"` // nil entries: the prediction was Unknown or the call was not sent
	// AllAgree: every known prediction matched what OSS answered.
	AllAgree bool `json:"all_agree"`
}

// ErrNoReplay: the object client cannot replay tool calls.
var ErrNoReplay = errors.New("this OSS client cannot replay a tool's calls")

// RunToolProbe predicts a tool's calls (CheckTool) and replays them with the client.
func RunToolProbe(ctx context.Context, client service.ObjectClient, in ToolInput) (ToolRun, error) {
	rp, ok := client.(ToolReplayer)
	if !ok {
		return ToolRun{}, ErrNoReplay
	}
	run := ToolRun{ToolCheck: CheckTool(in), AllAgree: true}
	ops := make([]model.ToolOp, len(run.Steps))
	for i, s := range run.Steps {
		ops[i] = model.ToolOp{Op: s.Op, Bucket: in.Bucket, Key: s.Key, Prefix: s.ListPrefix, Delimiter: s.Delimiter}
	}
	actual, err := rp.Replay(ctx, ops)
	run.Actual = actual
	if err != nil {
		return run, err
	}
	run.Agree = make([]*bool, len(run.Steps))
	for i, s := range run.Steps {
		if i >= len(actual) || actual[i].Code == "Skipped" {
			continue
		}
		run.Agree[i] = Agree(s.Verdict, actual[i])
		if run.Agree[i] != nil && !*run.Agree[i] {
			run.AllAgree = false
		}
	}
	return run, nil
}
