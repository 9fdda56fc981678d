# labdash: `make run` starts the dashboard on its embedded defaults; `make test` runs
# every test, installing what the tests need (the templ generator, Debian's chromium).

GO            ?= go
TEMPL_VERSION := v0.3.960
GOBIN         := $(shell $(GO) env GOPATH)/bin
TEMPL         := $(GOBIN)/templ
SUDO          := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM      ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)

VENV          := $(CURDIR)/.venv
MOTO_VERSION  := 5.2.5
CFNLINT_VERSION := 1.58.0
PARLIAMENT_VERSION := 1.6.4

.PHONY: run test generate build tools chromium venv lint-templates vet iam-table

run:
	$(GO) run ./cmd/labdash

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/labdash ./cmd/labdash

# tools installs the pinned templ generator unless it is already there.
tools:
	@$(TEMPL) version 2>/dev/null | grep -q '$(TEMPL_VERSION:v%=%)' || $(GO) install github.com/a-h/templ/cmd/templ@$(TEMPL_VERSION)

generate: tools
	$(TEMPL) generate

# chromium installs Debian's chromium for the browser tests when it is missing.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "make: installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# venv installs the pinned moto server (the AWS API double for the real-AWS tests),
# cfn-lint and parliament (the IAM policy linter, whose bundled copy of AWS's Service
# Authorization Reference the action table is generated from) in a virtualenv under
# the repository.
VENV_STAMP := $(VENV)/.installed-$(MOTO_VERSION)-$(CFNLINT_VERSION)-$(PARLIAMENT_VERSION)
venv: $(VENV_STAMP)
$(VENV_STAMP):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q 'moto[server]==$(MOTO_VERSION)' 'cfn-lint==$(CFNLINT_VERSION)' 'parliament==$(PARLIAMENT_VERSION)'
	touch $@

# iam-table fails if labs/cloud/authz/actions_gen.go is not what the pinned
# parliament's Service Authorization Reference gives for what labdash calls and names.
iam-table: venv
	cd labs/cloud/authz && $(GO) run ./internal/genactions -check

# lint-templates runs cfn-lint on every embedded CloudFormation template.
lint-templates: venv
	$(VENV)/bin/cfn-lint $$(git ls-files 'labs/catalog/*/*.yaml') labs/sandbox/dashboard-role.yaml

# test regenerates the templ files and fails if the committed ones were stale, fails
# on Go files gofmt would change, then vets and runs every test. The browser tests write the README's screenshots.
test: tools chromium venv lint-templates iam-table
	@before=$$(cat $$(git ls-files '*_templ.go') | sha256sum); \
	$(TEMPL) generate >/dev/null; \
	after=$$(cat $$(git ls-files '*_templ.go') | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "make: generated templ files were stale; commit the output of 'make generate'"; exit 1; fi
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "make: gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	LABDASH_MOTO=$(VENV)/bin/moto_server LABDASH_PARLIAMENT=$(VENV)/bin/parliament LABDASH_CHROMIUM=$(CHROMIUM) LABDASH_SCREENSHOT=$(CURDIR)/docs/screenshot-console.png \
	LABDASH_SCREENSHOT_LIVE=$(CURDIR)/docs/screenshot-demo.png LABDASH_SCREENSHOT_STUDENT=$(CURDIR)/docs/screenshot-student.png \
	LABDASH_SCREENSHOT_CLEANUP=$(CURDIR)/docs/screenshot-cleanup.png LABDASH_SCREENSHOT_CLEANUP_PLAN=$(CURDIR)/docs/screenshot-cleanup-plan.png LABDASH_SCREENSHOT_FAILOVER=$(CURDIR)/docs/screenshot-failover.png \
	LABDASH_SCREENSHOT_XRAY=$(CURDIR)/docs/screenshot-xray.png LABDASH_SCREENSHOT_ROUTE53=$(CURDIR)/docs/screenshot-route53.png LABDASH_SCREENSHOT_ASG=$(CURDIR)/docs/screenshot-asg.png LABDASH_SCREENSHOT_PCA=$(CURDIR)/docs/screenshot-pca.png LABDASH_SCREENSHOT_SLOTS=$(CURDIR)/docs/screenshot-slots.png LABDASH_SCREENSHOT_POLICIES=$(CURDIR)/docs/screenshot-policies.png \
	$(GO) test -race -count=1 -timeout 20m ./...
