package pca

// Rehearsal actions (simulator only): the instructor breaks a virtual student's
// hierarchy live, disabling the subordinate CA or deleting the HTTPS listener,
// and puts it back.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/labdash/labdash/labs"
)

func actions() []labs.Action {
	subState := func(ctx context.Context, e *labs.Env) (string, error) {
		if e.Memo["sub"] == "" {
			return "", errors.New("the student has no subordinate CA yet")
		}
		out, err := e.C.PCA.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(e.Memo["sub"])})
		if err != nil {
			return "", err
		}
		return string(out.CertificateAuthority.Status), nil
	}
	setSub := func(st pcatypes.CertificateAuthorityStatus) func(ctx context.Context, e *labs.Env) error {
		return func(ctx context.Context, e *labs.Env) error {
			_, err := e.C.PCA.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(e.Memo["sub"]), Status: st})
			return err
		}
	}
	return []labs.Action{
		{ID: "disable-sub-ca", Title: "Disable the subordinate CA", Done: "Disabled the subordinate CA (still billed)", Subject: "Subordinate CA",
			From: []string{"ACTIVE"}, State: subState, Do: setSub(pcatypes.CertificateAuthorityStatusDisabled)},
		{ID: "enable-sub-ca", Title: "Re-enable the subordinate CA", Done: "Re-enabled the subordinate CA", Subject: "Subordinate CA",
			From: []string{"DISABLED"}, State: subState, Do: setSub(pcatypes.CertificateAuthorityStatusActive)},
		{ID: "delete-https-listener", Title: "Delete the HTTPS :443 listener", Done: "Deleted the HTTPS :443 listener", Subject: "HTTPS :443 listener",
			From: []string{"present"}, State: listenerState, Do: deleteListener},
		{ID: "recreate-https-listener", Title: "Recreate the HTTPS :443 listener", Done: "Recreated the HTTPS :443 listener", Subject: "HTTPS :443 listener",
			From: []string{"absent"}, State: listenerState, Do: createListener},
	}
}

// listener443 returns the ARN of the student's :443 listener, or "".
func listener443(ctx context.Context, e *labs.Env) (string, error) {
	if e.Stack["LoadBalancerArn"] == "" {
		return "", errors.New("the student has no load balancer yet")
	}
	out, err := e.C.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(e.Stack["LoadBalancerArn"])})
	if err != nil {
		return "", err
	}
	for _, l := range out.Listeners {
		if aws.ToInt32(l.Port) == 443 {
			return aws.ToString(l.ListenerArn), nil
		}
	}
	return "", nil
}

func listenerState(ctx context.Context, e *labs.Env) (string, error) {
	arn, err := listener443(ctx, e)
	if err != nil {
		return "", err
	}
	if arn == "" {
		if e.Memo["cert"] == "" {
			return "", errors.New("the student has no certificate yet")
		}
		return "absent", nil
	}
	return "present", nil
}

func deleteListener(ctx context.Context, e *labs.Env) error {
	arn, err := listener443(ctx, e)
	if err != nil {
		return err
	}
	if arn == "" {
		return fmt.Errorf("no :443 listener to delete")
	}
	_, err = e.C.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(arn)})
	return err
}
