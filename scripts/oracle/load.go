package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/sylabs/sif/v2/pkg/sif"
)

// load IMG: the header and every object as the reference reads them, with the
// SHA-256 of each object's data read back through the reference reader.
func init() { register("load", load) }

type loadedObject struct {
	ID         uint32 `json:"id"`
	DataType   string `json:"dataType"`
	GroupID    uint32 `json:"groupId"`
	LinkedID   uint32 `json:"linkedId"`
	LinkGroup  bool   `json:"linkIsGroup"`
	Offset     int64  `json:"offset"`
	Size       int64  `json:"size"`
	Name       string `json:"name"`
	DataSHA256 string `json:"dataSha256"`
}

type loadedImage struct {
	ID               string         `json:"id"`
	LaunchScript     string         `json:"launchScript"`
	PrimaryArch      string         `json:"primaryArch"`
	DescriptorsFree  int64          `json:"descriptorsFree"`
	DescriptorsTotal int64          `json:"descriptorsTotal"`
	DataOffset       int64          `json:"dataOffset"`
	DataSize         int64          `json:"dataSize"`
	Objects          []loadedObject `json:"objects"`
}

func load(args []string) (interface{}, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("usage: load IMG")
	}
	f, err := sif.LoadContainerFromPath(args[0], sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		return nil, err
	}
	defer f.UnloadContainer()

	out := loadedImage{
		ID: f.ID(), LaunchScript: f.LaunchScript(), PrimaryArch: f.PrimaryArch(),
		DescriptorsFree: f.DescriptorsFree(), DescriptorsTotal: f.DescriptorsTotal(),
		DataOffset: f.DataOffset(), DataSize: f.DataSize(), Objects: []loadedObject{},
	}
	var readErr error
	f.WithDescriptors(func(d sif.Descriptor) bool {
		h := sha256.New()
		if _, err := io.Copy(h, d.GetReader()); err != nil {
			readErr = fmt.Errorf("object %d: %w", d.ID(), err)
			return true
		}
		link, isGroup := d.LinkedID()
		out.Objects = append(out.Objects, loadedObject{
			ID: d.ID(), DataType: d.DataType().String(), GroupID: d.GroupID(), LinkedID: link, LinkGroup: isGroup,
			Offset: d.Offset(), Size: d.Size(), Name: d.Name(), DataSHA256: hex.EncodeToString(h.Sum(nil)),
		})
		return false
	})
	return out, readErr
}
