package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/sylabs/sif/v2/pkg/integrity"
	"github.com/sylabs/sif/v2/pkg/sif"
)

// signedby --keyring FILE… (--fingerprints FP,FP | --mode M [--keyfp FP]…) IMG:
// the reference's verdict for a signer policy, built only from the reference
// integrity library (Verify, AllSignedBy, AnySignedBy, VerifyCallback):
//   - --fingerprints: Apptainer's VerifyFingerprints (build `Fingerprints:`):
//     default verification must pass, then every listed fingerprint must be in
//     AllSignedBy (compared case-insensitively);
//   - --mode whitelist|whitestrict|blacklist: Apptainer's ECL rule, where
//     SignatureNotValidErrors are ignored and their descriptor fingerprints
//     recorded as unvalidated.
func init() { register("signedby", signerPolicy) }

type policyVerdict struct {
	Allowed     bool     `json:"allowed"`
	Error       string   `json:"error"`
	AllSignedBy []string `json:"allSignedBy"`
	AnySignedBy []string `json:"anySignedBy"`
	Unvalidated []string `json:"unvalidated"`
}

func signerPolicy(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("signedby", flag.ContinueOnError)
	var keyrings, keyfps repeated
	fs.Var(&keyrings, "keyring", "public key file (armored or binary)")
	fs.Var(&keyfps, "keyfp", "ECL execgroup fingerprint")
	fingerprints := fs.String("fingerprints", "", "comma-separated required fingerprints")
	mode := fs.String("mode", "", "ECL mode")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || (*fingerprints == "") == (*mode == "") {
		return nil, fmt.Errorf("usage: signedby --keyring FILE (--fingerprints FP,FP | --mode M [--keyfp FP]) IMG")
	}
	kr, err := readKeyFiles(keyrings)
	if err != nil {
		return nil, err
	}
	f, err := sif.LoadContainerFromPath(fs.Arg(0), sif.OptLoadWithFlag(os.O_RDONLY))
	if err != nil {
		return nil, err
	}
	defer f.UnloadContainer()

	out := policyVerdict{AllSignedBy: []string{}, AnySignedBy: []string{}, Unvalidated: []string{}}
	opts := []integrity.VerifierOpt{integrity.OptVerifyWithKeyRing(kr)}
	if *mode != "" {
		opts = append(opts, integrity.OptVerifyCallback(func(r integrity.VerifyResult) bool {
			var nv *integrity.SignatureNotValidError
			if !errors.As(r.Error(), &nv) {
				return false
			}
			_, fp, err := r.Signature().SignatureMetadata()
			if err != nil {
				return false
			}
			out.Unvalidated = append(out.Unvalidated, strings.ToUpper(hex.EncodeToString(fp)))
			return true
		}))
	}
	v, err := integrity.NewVerifier(f, opts...)
	if err != nil {
		out.Error = err.Error()
		return out, nil
	}
	verr := v.Verify()
	out.AnySignedBy, out.AllSignedBy = upperFingerprints(v.AnySignedBy()), upperFingerprints(v.AllSignedBy())
	switch {
	case verr != nil && *mode != "":
		out.Error = "image signature not valid: " + verr.Error()
	case verr != nil:
		out.Error = verr.Error()
	case *mode != "":
		out.Error = eclRule(*mode, keyfps, out)
	default:
		out.Error = requireAll(strings.Split(*fingerprints, ","), out.AllSignedBy)
	}
	out.Allowed = out.Error == ""
	return out, nil
}

func upperFingerprints(fps [][]byte, err error) []string {
	out := []string{}
	if err != nil {
		return out
	}
	for _, fp := range fps {
		out = append(out, strings.ToUpper(hex.EncodeToString(fp)))
	}
	return out
}

func contains(list []string, fp string) bool {
	for _, x := range list {
		if strings.EqualFold(x, strings.TrimSpace(fp)) {
			return true
		}
	}
	return false
}

func requireAll(fps, all []string) string {
	for _, fp := range fps {
		if !contains(all, fp) {
			return "image not signed by required entities"
		}
	}
	return ""
}

// eclRule: whitelist needs one accepted key, whitestrict all of them (accepted =
// signed every group and never unvalidated); blacklist forbids every key on any signature.
func eclRule(mode string, keys []string, v policyVerdict) string {
	accepted := func(k string) bool { return contains(v.AllSignedBy, k) && !contains(v.Unvalidated, k) }
	switch mode {
	case "whitelist":
		for _, k := range keys {
			if accepted(k) {
				return ""
			}
		}
		return "image not signed by required entities"
	case "whitestrict":
		for _, k := range keys {
			if !accepted(k) {
				return "image not signed by required entities"
			}
		}
		return ""
	case "blacklist":
		for _, k := range keys {
			if contains(v.AnySignedBy, k) {
				return "image signed by a forbidden entity"
			}
		}
		return ""
	}
	return "ecl config file invalid"
}
