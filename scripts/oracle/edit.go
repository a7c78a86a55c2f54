package main

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/sylabs/sif/v2/pkg/sif"
)

// edit IMG OPS.json: applies a sequence of new/add/del/setprim operations with
// the reference library, reloading the image before each one as siftool does,
// and with explicit times so the result is reproducible. A failing step is
// reported and the next one runs: {"results": ["", "object not found", ...]}.
func init() { register("edit", edit) }

type editOp struct {
	Op   string `json:"op"`
	Time int64  `json:"time"`
	// new
	ID           string `json:"id"`
	LaunchScript string `json:"launchScript"`
	Descriptors  int64  `json:"descriptors"`
	// add
	DataType   int     `json:"dataType"`
	File       string  `json:"file"`
	GroupID    uint32  `json:"groupId"`
	LinkID     uint32  `json:"linkedObjectId"`
	LinkGroup  uint32  `json:"linkedGroupId"`
	Alignment  *int    `json:"alignment"`
	Name       *string `json:"name"`
	ObjectTime *int64  `json:"objectTime"`
	Partition  *struct {
		Fs   int32  `json:"fsType"`
		Part int32  `json:"partType"`
		Arch string `json:"arch"`
	} `json:"partition"`
	Signature *struct {
		Hash   int    `json:"hashType"`
		Entity string `json:"fingerprint"`
	} `json:"signature"`
	Crypto *struct {
		Format  int32 `json:"formatType"`
		Message int32 `json:"messageType"`
	} `json:"crypto"`
	SBOM *int32 `json:"sbomFormat"`
	// del, setprim
	ObjectID uint32 `json:"objectId"`
	Zero     bool   `json:"zero"`
	Compact  bool   `json:"compact"`
}

var hashes = map[int]crypto.Hash{1: crypto.SHA256, 2: crypto.SHA384, 3: crypto.SHA512, 4: crypto.BLAKE2s_256, 5: crypto.BLAKE2b_256}

func inputOptions(op editOp) ([]sif.DescriptorInputOpt, error) {
	opts := []sif.DescriptorInputOpt{sif.OptNoGroup()}
	if op.GroupID != 0 {
		opts = append(opts, sif.OptGroupID(op.GroupID))
	}
	if op.LinkID != 0 {
		opts = append(opts, sif.OptLinkedID(op.LinkID))
	}
	if op.LinkGroup != 0 {
		opts = append(opts, sif.OptLinkedGroupID(op.LinkGroup))
	}
	if op.Alignment != nil {
		opts = append(opts, sif.OptObjectAlignment(*op.Alignment))
	}
	if op.Name != nil {
		opts = append(opts, sif.OptObjectName(*op.Name))
	}
	if op.ObjectTime != nil {
		opts = append(opts, sif.OptObjectTime(time.Unix(*op.ObjectTime, 0)))
	}
	switch {
	case op.Partition != nil:
		p := op.Partition
		opts = append(opts, sif.OptPartitionMetadata(sif.FSType(p.Fs), sif.PartType(p.Part), p.Arch))
	case op.Signature != nil:
		fp, err := hex.DecodeString(op.Signature.Entity)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sif.OptSignatureMetadata(hashes[op.Signature.Hash], fp))
	case op.Crypto != nil:
		opts = append(opts, sif.OptCryptoMessageMetadata(sif.FormatType(op.Crypto.Format), sif.MessageType(op.Crypto.Message)))
	case op.SBOM != nil:
		opts = append(opts, sif.OptSBOMMetadata(sif.SBOMFormat(*op.SBOM)))
	}
	return opts, nil
}

func create(path string, op editOp) error {
	opts := []sif.CreateOpt{sif.OptCreateWithTime(time.Unix(op.Time, 0)), sif.OptCreateWithID(op.ID)}
	if op.LaunchScript != "" {
		opts = append(opts, sif.OptCreateWithLaunchScript(op.LaunchScript))
	}
	if op.Descriptors != 0 {
		opts = append(opts, sif.OptCreateWithDescriptorCapacity(op.Descriptors))
	}
	f, err := sif.CreateContainerAtPath(path, opts...)
	if err != nil {
		return err
	}
	return f.UnloadContainer()
}

func modify(path string, op editOp) error {
	f, err := sif.LoadContainerFromPath(path)
	if err != nil {
		return err
	}
	defer f.UnloadContainer()
	t := time.Unix(op.Time, 0)
	switch op.Op {
	case "add":
		data, err := os.Open(op.File)
		if err != nil {
			return err
		}
		defer data.Close()
		opts, err := inputOptions(op)
		if err != nil {
			return err
		}
		di, err := sif.NewDescriptorInput(sif.DataType(0x4000+op.DataType), data, opts...)
		if err != nil {
			return err
		}
		return f.AddObject(di, sif.OptAddWithTime(t))
	case "del":
		return f.DeleteObject(op.ObjectID, sif.OptDeleteZero(op.Zero), sif.OptDeleteCompact(op.Compact), sif.OptDeleteWithTime(t))
	case "setprim":
		return f.SetPrimPart(op.ObjectID, sif.OptSetWithTime(t))
	}
	return fmt.Errorf("unknown op %q", op.Op)
}

func edit(args []string) (interface{}, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("usage: edit IMG OPS.json")
	}
	b, err := os.ReadFile(args[1])
	if err != nil {
		return nil, err
	}
	var ops []editOp
	if err := json.Unmarshal(b, &ops); err != nil {
		return nil, err
	}
	results := make([]string, len(ops))
	for i, op := range ops {
		if op.Op == "new" {
			err = create(args[0], op)
		} else {
			err = modify(args[0], op)
		}
		if err != nil {
			results[i] = err.Error()
		}
	}
	return map[string][]string{"results": results}, nil
}
