package main

import (
	"crypto"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ocsp --cert F --issuer F [--response F]: what golang.org/x/crypto/ocsp
// (the package Apptainer's --ocsp-verify uses) makes and reads. Without
// --response: the hex of ocsp.CreateRequest with a SHA-1 CertID, Apptainer's
// request. With it: ParseResponseForCert's verdict, or its error as an answer.
func init() { register("ocsp", ocspAnswer) }

type ocspVerdict struct {
	Request    string `json:"request,omitempty"`
	Error      string `json:"error,omitempty"`
	Status     string `json:"status,omitempty"`
	ThisUpdate string `json:"thisUpdate,omitempty"`
	RevokedAt  string `json:"revokedAt,omitempty"`
	Reason     int    `json:"reason"`
	Embedded   bool   `json:"embedded"`
}

func ocspAnswer(args []string) (interface{}, error) {
	fs := flag.NewFlagSet("ocsp", flag.ContinueOnError)
	certFile := fs.String("cert", "", "certificate asked about (PEM)")
	issuerFile := fs.String("issuer", "", "its issuer (PEM)")
	responseFile := fs.String("response", "", "DER OCSP response")
	if err := fs.Parse(args); err != nil || *certFile == "" || *issuerFile == "" {
		return nil, errors.New("usage: ocsp --cert F --issuer F [--response F]")
	}
	certs, err := readCertificates(*certFile)
	if err != nil {
		return nil, err
	}
	issuers, err := readCertificates(*issuerFile)
	if err != nil {
		return nil, err
	}
	if *responseFile == "" {
		req, err := ocsp.CreateRequest(certs[0], issuers[0], &ocsp.RequestOptions{Hash: crypto.SHA1})
		if err != nil {
			return nil, err
		}
		return ocspVerdict{Request: hex.EncodeToString(req)}, nil
	}
	der, err := os.ReadFile(*responseFile)
	if err != nil {
		return nil, err
	}
	resp, err := ocsp.ParseResponseForCert(der, certs[0], issuers[0])
	if err != nil {
		return ocspVerdict{Error: err.Error()}, nil
	}
	out := ocspVerdict{ThisUpdate: resp.ThisUpdate.UTC().Format(time.RFC3339), Reason: resp.RevocationReason, Embedded: resp.Certificate != nil}
	switch resp.Status {
	case ocsp.Good:
		out.Status = "good"
	case ocsp.Revoked:
		out.Status = "revoked"
		out.RevokedAt = resp.RevokedAt.UTC().Format(time.RFC3339)
	default:
		out.Status = "unknown"
	}
	return out, nil
}
