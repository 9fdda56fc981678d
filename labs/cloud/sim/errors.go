package sim

import (
	"fmt"

	"github.com/aws/smithy-go"
)

// The simulator answers with the SDK's typed errors where a service defines one
// (ecstypes.ClusterNotFoundException, elbv2types.LoadBalancerNotFoundException,
// …) and with smithy.GenericAPIError carrying AWS's error code where it does not
// (EC2's InvalidGroup.NotFound, CloudFormation's and CloudWatch's ValidationError).
// Callers therefore test errors exactly as they would against AWS: errors.As to
// the typed error, or errors.As to smithy.APIError and ErrorCode().

// apiError returns an AWS error with code and a formatted message, as the SDK
// decodes it for services without a typed error for that code.
func apiError(code, format string, a ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, a...), Fault: smithy.FaultClient}
}

// validationError is the Query-protocol services' ValidationError
// (CloudFormation, CloudWatch, ELBv2, IAM).
func validationError(format string, a ...any) error {
	return apiError("ValidationError", format, a...)
}

// msg returns a *string for an error message.
func msg(format string, a ...any) *string {
	s := fmt.Sprintf(format, a...)
	return &s
}
