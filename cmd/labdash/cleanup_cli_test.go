package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// motoEnv is the environment a labdash process needs against moto (besides the
// AWS_* variables awstest.Moto sets): path-style S3, and a CloudWatch protocol
// moto speaks.
var motoEnv = map[string]string{"LABDASH_AWS_CLOUDWATCH_PROTOCOL": "json", "LABDASH_AWS_S3_PATH_STYLE": "true"}

// cleanupWorld is a database with classes on moto whose students built the
// Fargate lab by hand (awstest.SeedFargate), for the cleanup command's tests.
type cleanupWorld struct {
	dbPath  string
	c       *cloud.Clients
	classes []*db.Class
}

func newCleanupWorld(t *testing.T, students int, names ...string) *cleanupWorld {
	t.Helper()
	awstest.Moto(t)
	awstest.Reset(t)
	ctx := context.Background()
	w := &cleanupWorld{dbPath: filepath.Join(t.TempDir(), "cleanup.db")}
	store, err := db.Open(ctx, w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	p := awstest.NewProvider(t, awsprovider.Options{})
	if w.c, err = p.Clients(ctx, "", awstest.Region); err != nil {
		t.Fatal(err)
	}
	vpcs, err := w.c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("moto VPC: %v", err)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, _ := w.c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	subnets := []string{aws.ToString(subs.Subnets[0].SubnetId), aws.ToString(subs.Subnets[1].SubnetId)}
	for _, name := range names {
		c := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
		if err := store.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
		var rows []db.NewStudent
		for i := 1; i <= students; i++ {
			rows = append(rows, db.NewStudent{Name: fmt.Sprintf("%s %d", name, i), Email: fmt.Sprintf("%s%d@example.edu", strings.ReplaceAll(strings.ToLower(name), " ", ""), i)})
		}
		sts, _, err := store.AddStudents(ctx, c.ID, rows)
		if err != nil {
			t.Fatal(err)
		}
		w.classes = append(w.classes, c)
		store.Close()
		if err := run(ctx, []string{"provision", "--db", w.dbPath, "--cloud", "aws", c.ID}, nil, io.Discard, io.Discard, envOf(motoEnv)); err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			awstest.SeedFargate(t, ctx, w.c, vpc, subnets, c.ID, st.Slug)
		}
		if store, err = db.Open(ctx, w.dbPath); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	return w
}

// cli runs a labdash command in process against w's database.
func (w *cleanupWorld) cli(t *testing.T, env map[string]string, stdin io.Reader, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut e2eBuffer
	n := 1 // the command's words, then its flags
	if args[0] == "cleanup" {
		n = 2
	}
	full := append(append(append([]string{}, args[:n]...), "--db", w.dbPath, "--cloud", "aws"), args[n:]...)
	err := run(context.Background(), full, stdin, &out, &errOut, envOf(env))
	return out.String(), errOut.String(), err
}

// planJSON is `labdash cleanup plan --json` decoded.
func (w *cleanupWorld) planJSON(t *testing.T, env map[string]string, class string) (hash string, items []string, unchecked int) {
	t.Helper()
	out, errOut, err := w.cli(t, env, nil, "cleanup", "plan", "--json", class)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, errOut)
	}
	var p struct {
		Hash  string
		Items []struct{ ARN string }
		// Unchecked lists what could not be read.
		Unchecked []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	for _, it := range p.Items {
		items = append(items, it.ARN)
	}
	return p.Hash, items, len(p.Unchecked)
}

// TestCleanupCommandAgainstMoto: two classes on moto, one cleaned up from the
// command line. What is confirmed is what was reviewed: without --plan and without
// a terminal the run is refused and says how; a wrong name is refused; a plan hash
// the class no longer matches is refused naming the resource that is new, and
// nothing is deleted; the reviewed hash deletes exactly that plan and ends
// verified, exit 0; the other class keeps everything.
func TestCleanupCommandAgainstMoto(t *testing.T) {
	w := newCleanupWorld(t, 2, "Keep me", "Clean me")
	keep, clean := w.classes[0], w.classes[1]
	hash, items, unchecked := w.planJSON(t, motoEnv, clean.ID)
	_, keepItems, _ := w.planJSON(t, motoEnv, keep.ID)
	if len(items) < 20 || unchecked != 0 || hash == "" {
		t.Fatalf("plan %s: %d items, %d unchecked", hash, len(items), unchecked)
	}
	for _, arn := range items {
		if strings.Contains(arn, keep.ID) {
			t.Errorf("the other class's %s is in the plan", arn)
		}
	}
	if _, _, err := w.cli(t, motoEnv, strings.NewReader(clean.Name+"\n"), "cleanup", "run", "--confirm", clean.Name, clean.ID); err == nil ||
		!strings.Contains(err.Error(), "needs --plan HASH") || !strings.Contains(err.Error(), "labdash cleanup plan") {
		t.Fatalf("run without --plan and without a terminal: %v", err)
	}
	if _, _, err := w.cli(t, motoEnv, nil, "cleanup", "run", "--confirm", "wrong", "--plan", hash, clean.ID); err == nil || !strings.Contains(err.Error(), "class's name") {
		t.Fatalf("a wrong confirmation: %v", err)
	}
	if _, _, err := w.cli(t, motoEnv, nil, "cleanup", "run", "--confirm", clean.Name, "--plan", "not-a-hash", clean.ID); err == nil || !strings.Contains(err.Error(), "is not a plan hash") {
		t.Fatalf("a malformed hash: %v", err)
	}
	// The class changes after the review: a student makes a log group.
	newGroup := clean.ID + "s01-late"
	if _, err := w.c.Logs.CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(newGroup)}); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.cli(t, motoEnv, nil, "cleanup", "run", "--confirm", clean.Name, "--plan", hash, clean.ID)
	if err == nil || !strings.Contains(err.Error(), "is not the class's plan now") || !strings.Contains(err.Error(), newGroup) || !strings.Contains(err.Error(), "nothing was deleted") {
		t.Fatalf("a stale plan: %v", err)
	}
	if _, again, _ := w.planJSON(t, motoEnv, clean.ID); len(again) != len(items)+1 {
		t.Fatalf("after the refused run the plan holds %d resources, want the %d reviewed plus the new one: something was deleted", len(again), len(items))
	}
	hash, items, _ = w.planJSON(t, motoEnv, clean.ID)
	out, errOut, err := w.cli(t, motoEnv, nil, "cleanup", "run", "--confirm", clean.Name, "--plan", hash, clean.ID)
	if err != nil || !strings.Contains(errOut, "done and verified") {
		t.Fatalf("cleanup: %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(errOut, " of ") || !strings.Contains(errOut, "done") {
		t.Errorf("no progress was printed:\n%s", errOut)
	}
	if _, after, unchecked := w.planJSON(t, motoEnv, clean.ID); len(after) != 0 || unchecked != 0 {
		t.Fatalf("left after cleanup: %v (%d unchecked)", after, unchecked)
	}
	if _, kept, _ := w.planJSON(t, motoEnv, keep.ID); len(kept) != len(keepItems) {
		t.Fatalf("the other class has %d resources, had %d", len(kept), len(keepItems))
	}
}

// TestCleanupNotVerifiedWhenAListerFails: the Go SDK's default CloudWatch
// protocol (CBOR), which moto does not speak, makes the alarm lister fail. The
// plan names the gap, the run deletes what it can, and ends NOT verified with a
// non-zero exit naming the type and region it could not check — never
// "verified" over a failed search.
func TestCleanupNotVerifiedWhenAListerFails(t *testing.T) {
	w := newCleanupWorld(t, 1, "Half seen")
	class := w.classes[0]
	cbor := map[string]string{"LABDASH_AWS_S3_PATH_STYLE": "true"}
	out, errOut, err := w.cli(t, cbor, nil, "cleanup", "plan", class.ID)
	if err != nil || !strings.Contains(out, "unchecked\t") || !strings.Contains(out, "AWS::CloudWatch::Alarm") || !strings.Contains(errOut, "1 not checked") {
		t.Fatalf("plan with a failing lister: %v\n%s\n%s", err, out, errOut)
	}
	hash, _, unchecked := w.planJSON(t, cbor, class.ID)
	if unchecked != 1 {
		t.Fatalf("%d unchecked, want the alarm lister's", unchecked)
	}
	out, errOut, err = w.cli(t, cbor, nil, "cleanup", "run", "--confirm", class.Name, "--plan", hash, class.ID)
	if !errors.Is(err, errNotVerified) || !strings.Contains(errOut, "NOT VERIFIED") || !strings.Contains(errOut, "AWS::CloudWatch::Alarm in") || strings.Contains(errOut, "done and verified") {
		t.Fatalf("run: %v\n%s\n%s", err, out, errOut)
	}
	// Told the protocol moto speaks, the next plan sees the alarms it missed.
	if _, left, unchecked := w.planJSON(t, motoEnv, class.ID); unchecked != 0 || len(left) == 0 {
		t.Fatalf("with json: %d left, %d unchecked; want the alarms the failed lister could not see", len(left), unchecked)
	}
}

// fakeTerminal is a stdin that says it is a terminal.
type fakeTerminal struct{ io.Reader }

func (fakeTerminal) Terminal() {}

// TestCleanupRunAsksOnATerminal: on a terminal, `cleanup run` without --plan shows
// the plan and asks for the class's name; a wrong answer deletes nothing, the
// right one deletes that plan.
func TestCleanupRunAsksOnATerminal(t *testing.T) {
	w := newCleanupWorld(t, 1, "Ask me")
	class := w.classes[0]
	out, _, err := w.cli(t, motoEnv, fakeTerminal{strings.NewReader("ask me\n")}, "cleanup", "run", class.ID)
	if err == nil || !strings.Contains(err.Error(), "nothing was deleted") || !strings.Contains(out, "delete\t") || !strings.Contains(out, "Type the class's name") {
		t.Fatalf("a wrong answer: %v\n%s", err, out)
	}
	if _, left, _ := w.planJSON(t, motoEnv, class.ID); len(left) == 0 {
		t.Fatal("a wrong answer deleted something")
	}
	_, errOut, err := w.cli(t, motoEnv, fakeTerminal{strings.NewReader(class.Name + "\n")}, "cleanup", "run", class.ID)
	if err != nil || !strings.Contains(errOut, "done and verified") {
		t.Fatalf("the right answer: %v\n%s", err, errOut)
	}
}

// buildLabdash builds the binary once per test.
func buildLabdash(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "labdash")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// processEnv is this process's environment (moto's AWS_* included) plus kv.
func processEnv(kv map[string]string) []string {
	env := os.Environ()
	for k, v := range kv {
		env = append(env, k+"="+v)
	}
	return env
}

// killWhenPartDone waits until the class's cleanup job has finished some but not
// all of its items, then kills cmd with SIGKILL; it returns the job.
func killWhenPartDone(t *testing.T, dbPath, classID string, cmd *exec.Cmd) *db.Job {
	t.Helper()
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if j, err := store.OpenJob(context.Background(), classID, "cleanup"); err == nil {
			if c := j.Counts(); c[db.ItemDone] > 0 && c[db.ItemDone] < len(j.Items) {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				cmd.Wait() // reaped: its pid no longer names a live process
				mid, _ := store.Job(context.Background(), j.ID)
				return mid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("the cleanup job never got part done")
	return nil
}

// checkResumed asserts the job ended verified, that no second job was made, and
// that every resource was deleted (and audited) exactly once.
func checkResumed(t *testing.T, dbPath, classID string, mid *db.Job) {
	t.Helper()
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	job, err := store.Job(ctx, mid.ID)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != db.JobDone || job.Outcome != db.OutcomeVerified || job.Counts()[db.ItemDone] != len(job.Items) {
		t.Fatalf("resumed job: %s %s %v %q", job.State, job.Outcome, job.Counts(), job.Error)
	}
	if latest, _ := store.LatestJob(ctx, classID, "cleanup"); latest.ID != mid.ID {
		t.Fatalf("a new job %d was started instead of resuming %d", latest.ID, mid.ID)
	}
	entries, _ := store.AuditLog(ctx, classID, 100000)
	deleted := map[string]int{}
	for _, e := range entries {
		if e.Action == "cleanup.delete" {
			deleted[e.Detail[strings.Index(e.Detail, " ")+1:]]++
		}
	}
	for _, it := range job.Items {
		if deleted[it.Key] != 1 {
			t.Errorf("%s audited as deleted %d times, want once", it.Key, deleted[it.Key])
		}
	}
	t.Logf("killed with %v of %d; resumed job %d to the end", mid.Counts(), len(mid.Items), job.ID)
}

// TestCleanupRunResumesAfterKill9: `labdash cleanup run` is killed with SIGKILL
// mid-job; running the same command again resumes the same job (its lease's
// holder is dead) and finishes it: nothing is deleted twice, nothing is left.
func TestCleanupRunResumesAfterKill9(t *testing.T) {
	bin := buildLabdash(t)
	w := newCleanupWorld(t, 3, "Kill me")
	class := w.classes[0]
	hash, items, _ := w.planJSON(t, motoEnv, class.ID)
	args := []string{"cleanup", "run", "--db", w.dbPath, "--cloud", "aws", "--confirm", class.Name, "--plan", hash, class.ID}
	cmd := exec.Command(bin, args...)
	cmd.Env = processEnv(motoEnv)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	mid := killWhenPartDone(t, w.dbPath, class.ID, cmd)
	if mid.PlanHash != hash || len(mid.Items) != len(items) {
		t.Fatalf("job %d: plan %s, %d items; want %s, %d", mid.ID, mid.PlanHash, len(mid.Items), hash, len(items))
	}
	again := exec.Command(bin, args...)
	again.Env = processEnv(motoEnv)
	out, err := again.CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("resuming cleanup job %d", mid.ID)) || !strings.Contains(string(out), "done and verified") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	checkResumed(t, w.dbPath, class.ID, mid)
	if _, left, _ := w.planJSON(t, motoEnv, class.ID); len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
}

// TestServeResumesCleanupAfterKill9: `labdash serve --cloud aws` runs a cleanup
// confirmed through the API and is killed with SIGKILL mid-job; the next start
// resumes the same job to the end, verified, with nothing deleted twice.
func TestServeResumesCleanupAfterKill9(t *testing.T) {
	bin := buildLabdash(t)
	w := newCleanupWorld(t, 3, "Kill serve")
	class := w.classes[0]
	tok, err := exec.Command(bin, "token", "create", "--db", w.dbPath, "--email", "ana@example.edu").Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", w.dbPath, "--cloud", "aws")
		cmd.Env = processEnv(motoEnv)
		cmd.Stderr = io.Discard
		return startServing(t, cmd)
	}
	cmd, base := start()
	status, body := apiCall(t, http.MethodPost, base+"/api/v1/classes/"+class.ID+"/cleanup/plan", token, "", "")
	var plan struct{ Hash string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &plan) != nil {
		cmd.Process.Kill()
		t.Fatalf("plan: %d %s", status, body)
	}
	status, body = apiCall(t, http.MethodPost, base+"/api/v1/classes/"+class.ID+"/cleanup/run", token, "application/json",
		fmt.Sprintf(`{"hash":%q,"confirm":%q}`, plan.Hash, class.Name))
	if status != http.StatusAccepted {
		cmd.Process.Kill()
		t.Fatalf("run: %d %s", status, body)
	}
	mid := killWhenPartDone(t, w.dbPath, class.ID, cmd)
	cmd, base = start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(3 * time.Minute)
	var job struct {
		State    string
		Verified bool
		Outcome  string
	}
	for time.Now().Before(deadline) {
		_, body = apiGet(t, base+fmt.Sprintf("/api/v1/jobs/%d", mid.ID), token)
		if json.Unmarshal([]byte(body), &job) == nil && job.State == "done" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if job.State != "done" || !job.Verified || job.Outcome != "verified" {
		t.Fatalf("after the restart, job %d: %s", mid.ID, body)
	}
	checkResumed(t, w.dbPath, class.ID, mid)
}
