package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"

	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// verify [--group N]… [--object N]… [--legacy] [--legacy-all] [--ignore-unknown] --keyring FILE… IMG:
// the reference integrity verifier's verdict, with a result per signature
// (a callback that never ignores errors), and AnySignedBy / AllSignedBy.
// --ignore-unknown is `sif verify --ignore-unknown-signers` in reference
// terms: the callback ignores exactly the errors that wrap go-crypto's
// ErrUnknownIssuer, and then every group must still have a verified signature.
func init() { register("verify", verify) }

type signatureResult struct {
	Signature   uint32   `json:"signature"`
	Verified    []uint32 `json:"verified"`
	Fingerprint string   `json:"fingerprint"`
	Group       uint32   `json:"group"`
	Error       string   `json:"error"`
	Unknown     bool     `json:"unknownSigner"`
}

type verifyVerdict struct {
	Error       string            `json:"error"`
	Signatures  []signatureResult `json:"signatures"`
	AnySignedBy []string          `json:"anySignedBy"`
	AllSignedBy []string          `json:"allSignedBy"`
	SignedByErr string            `json:"signedByError"`
}

func verify(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var groups, objects repeatedUint
	var keyrings repeated
	fs.Var(&groups, "group", "group ID to verify")
	fs.Var(&objects, "object", "object ID to verify")
	legacy := fs.Bool("legacy", false, "verify legacy signatures")
	legacyAll := fs.Bool("legacy-all", false, "verify legacy signatures of every grouped object")
	ignoreUnknown := fs.Bool("ignore-unknown", false, "ignore signatures by unknown signers")
	fs.Var(&keyrings, "keyring", "public key file (armored or binary)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return nil, fmt.Errorf("usage: verify [--group N] [--object N] [--legacy] [--legacy-all] --keyring FILE IMG")
	}
	kr, err := readKeyFiles(keyrings)
	if err != nil {
		return nil, err
	}
	f, err := sif.LoadContainerFromPath(fs.Arg(0), sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		return verifyVerdict{Error: err.Error(), Signatures: []signatureResult{}}, nil
	}
	defer f.UnloadContainer()

	out := verifyVerdict{Signatures: []signatureResult{}, AnySignedBy: []string{}, AllSignedBy: []string{}}
	opts := []integrity.VerifierOpt{integrity.OptVerifyWithKeyRing(kr)}
	for _, g := range groups {
		opts = append(opts, integrity.OptVerifyGroup(g))
	}
	for _, o := range objects {
		opts = append(opts, integrity.OptVerifyObject(o))
	}
	if *legacy {
		opts = append(opts, integrity.OptVerifyLegacy())
	}
	if *legacyAll {
		opts = append(opts, integrity.OptVerifyLegacyAll())
	}
	opts = append(opts, integrity.OptVerifyCallback(func(r integrity.VerifyResult) bool {
		res := signatureResult{Signature: r.Signature().ID(), Verified: []uint32{}}
		res.Group, _ = r.Signature().LinkedID()
		for _, od := range r.Verified() {
			res.Verified = append(res.Verified, od.ID())
		}
		if e := r.Entity(); e != nil {
			res.Fingerprint = hex.EncodeToString(e.PrimaryKey.Fingerprint)
		}
		if err := r.Error(); err != nil {
			res.Error = err.Error()
			res.Unknown = errors.Is(err, pgperrors.ErrUnknownIssuer)
		}
		out.Signatures = append(out.Signatures, res)
		return *ignoreUnknown && res.Unknown
	}))
	v, err := integrity.NewVerifier(f, opts...)
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	if err := v.Verify(); err != nil {
		out.Error = err.Error()
	} else if *ignoreUnknown {
		out.Error = unverifiedGroup(out.Signatures)
	}
	out.AnySignedBy, out.AllSignedBy, out.SignedByErr = signedBy(v)
	return out, nil
}

func signedBy(v *integrity.Verifier) (anyBy, allBy []string, errText string) {
	anyBy, allBy = []string{}, []string{}
	fps, err := v.AnySignedBy()
	if err != nil {
		return anyBy, allBy, err.Error()
	}
	for _, fp := range fps {
		anyBy = append(anyBy, hex.EncodeToString(fp))
	}
	fps, err = v.AllSignedBy()
	if err != nil {
		return anyBy, allBy, err.Error()
	}
	for _, fp := range fps {
		allBy = append(allBy, hex.EncodeToString(fp))
	}
	return anyBy, allBy, ""
}

// repeatedUint collects a uint32 flag given several times.
type repeatedUint []uint32

func (r *repeatedUint) String() string { return fmt.Sprint(*r) }
func (r *repeatedUint) Set(v string) error {
	var n uint32
	if _, err := fmt.Sscan(v, &n); err != nil {
		return errors.New("not a uint32: " + v)
	}
	*r = append(*r, n)
	return nil
}

// unverifiedGroup: with unknown signers ignored, each group needs one signature that verified.
func unverifiedGroup(results []signatureResult) string {
	verified := map[uint32]bool{}
	for _, r := range results {
		verified[r.Group] = verified[r.Group] || r.Error == ""
	}
	for _, r := range results {
		if !verified[r.Group] {
			return fmt.Sprintf("no verified signature for object group %d", r.Group)
		}
	}
	return ""
}
