package cleanup

// What a plan's private CAs cost, for the plan page (issue 14, Lab 9). AWS's
// pricing (https://aws.amazon.com/private-ca/pricing/): "$400 per private CA per
// month for general-purpose mode, $50 per private CA per month for short-lived
// certificate mode. Private CA operation is pro-rated for partial months based on
// when you create and delete the CA. You are not charged for a private CA after
// you delete it. However, if you restore a deleted CA, you are charged for the
// time between deleting it and restoring it." The user guide says the same
// (privateca/latest/userguide/PcaPricing.html: "charged a monthly price for each
// private CA starting from the time that you create it"; PCARestoreCA.html: "You
// are not charged for a private CA after it has been deleted"), and that a CA
// deleted in PENDING_CERTIFICATE or DISABLED gets a 7–30 day restoration window
// (PCADeleteCA.html) while one deleted in CREATING or FAILED gets none. Nothing
// says disabling stops the charge: a DISABLED CA is billed like an ACTIVE one.

// PrivateCAType is the resource type of a private CA.
const PrivateCAType = "AWS::ACMPCA::CertificateAuthority"

// PrivateCAs is how many of the plan's resources are private CAs and what they
// bill a month together, at the type's rate (general-purpose mode, $400). A CA
// already DELETED is not in a plan (it counts as gone), so every one counted
// bills until cleanup deletes it.
func (p *Plan) PrivateCAs() (n int, monthlyUSD float64) {
	for _, it := range p.Items {
		if it.Type == PrivateCAType {
			n++
			monthlyUSD += it.HourlyUSD * 730
		}
	}
	return n, monthlyUSD
}
