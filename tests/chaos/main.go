// Command linearizable checks a KV history recorded by ChaosTest with Porcupine: each key is a
// register with a version, read by Get and written by compare-and-set Puts (if_version). An operation
// whose outcome is unknown (the call failed UNAVAILABLE or DEADLINE_EXCEEDED) may or may not have
// taken effect, so the model steps both ways.
//
// Usage: go run . HISTORY.json   (exit 0: linearizable; 1: not; 2: the check timed out)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

// op is one call as the test recorded it; call and ret are nanoseconds, ret of an unknown outcome is
// past the end of the run.
type op struct {
	Client    int    `json:"client"`
	Key       string `json:"key"`
	Kind      string `json:"kind"` // "get" or "cas"
	IfVersion uint64 `json:"ifVersion"`
	Value     string `json:"value"`
	Outcome   string `json:"outcome"` // "ok", "mismatch" (cas refused) or "unknown"
	Version   uint64 `json:"version"` // get: the version read (0: absent); cas ok: the new version
	Call      int64  `json:"call"`
	Ret       int64  `json:"ret"`
}

type register struct {
	Version uint64
	Value   string
}

var model = porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, o := range history {
			k := o.Input.(op).Key
			if _, seen := byKey[k]; !seen {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], o)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() []interface{} { return []interface{}{register{}} },
	Step: func(state, input, output interface{}) []interface{} {
		s := state.(register)
		in := input.(op)
		switch in.Kind {
		case "get":
			if in.Outcome == "unknown" || (in.Version == s.Version && in.Value == s.Value) {
				return []interface{}{s}
			}
			return nil
		case "cas":
			applies := s.Version == in.IfVersion
			next := register{Version: s.Version + 1, Value: in.Value}
			switch in.Outcome {
			case "ok":
				if applies && in.Version == next.Version {
					return []interface{}{next}
				}
				return nil
			case "mismatch":
				if !applies {
					return []interface{}{s}
				}
				return nil
			default: // unknown: applied or not
				if applies {
					return []interface{}{s, next}
				}
				return []interface{}{s}
			}
		}
		return nil
	},
	Equal: func(a, b interface{}) bool { return a.(register) == b.(register) },
	DescribeOperation: func(input, output interface{}) string {
		in := input.(op)
		return fmt.Sprintf("%s %s if=%d %q -> %s v%d", in.Kind, in.Key, in.IfVersion, in.Value, in.Outcome, in.Version)
	},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: linearizable HISTORY.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ops []op
	if err := json.Unmarshal(data, &ops); err != nil {
		fmt.Fprintln(os.Stderr, "history:", err)
		os.Exit(2)
	}
	history := make([]porcupine.Operation, 0, len(ops))
	keys := map[string]bool{}
	for _, o := range ops {
		history = append(history, porcupine.Operation{ClientId: o.Client, Input: o, Call: o.Call, Output: o, Return: o.Ret})
		keys[o.Key] = true
	}
	result, _ := porcupine.CheckOperationsVerbose(model.ToModel(), history, 60*time.Second)
	fmt.Printf("porcupine: %d operations on %d keys: %s\n", len(ops), len(keys), result)
	switch result {
	case porcupine.Ok:
		os.Exit(0)
	case porcupine.Illegal:
		os.Exit(1)
	default:
		os.Exit(2)
	}
}
