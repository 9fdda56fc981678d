package labs

// Regions are the AWS commercial regions a class may use. Global Accelerator's
// API lives in us-west-2 whatever the class chooses (LABS.md Lab 5).
var Regions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"ca-central-1", "sa-east-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
	"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
}

// KnownRegion reports whether r is one of Regions.
func KnownRegion(r string) bool {
	for _, x := range Regions {
		if x == r {
			return true
		}
	}
	return false
}
