//! A real Kannel for the tests: bearerbox, the fake SMSC from kannel-extras and smsbox on
//! free local ports, with generated configuration in a temporary directory. What the fake
//! SMSC prints is what the "phones" received.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

pub const BEARERBOX: &str = "/usr/sbin/bearerbox";
pub const SMSBOX: &str = "/usr/sbin/smsbox";
pub const FAKESMSC: &str = "/usr/lib/kannel/test/fakesmsc";
pub const USERNAME: &str = "liandong";
pub const PASSWORD: &str = "kannel-test-pw";
pub const SENDER: &str = "10690001";

/// Whether Kannel is installed; without it the test fails unless LIANDONG_TEST_SKIP_KANNEL
/// is set (scripts/test.sh installs it), so that an SMS test never passes silently.
pub fn available() -> bool {
    if Path::new(BEARERBOX).exists() && Path::new(FAKESMSC).exists() {
        return true;
    }
    if std::env::var("LIANDONG_TEST_SKIP_KANNEL").is_ok() {
        eprintln!("Kannel test skipped: LIANDONG_TEST_SKIP_KANNEL is set");
        return false;
    }
    panic!(
        "Kannel is not installed: apt-get install -y kannel kannel-extras (scripts/test.sh does), \
         or set LIANDONG_TEST_SKIP_KANNEL=1 to skip"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < timeout,
            "Kannel: {what} did not happen in {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The parts of one concatenated message received so far, by sequence number.
type Parts = BTreeMap<u8, Vec<u8>>;

/// One Kannel: its ports, files and processes.
pub struct Kannel {
    dir: PathBuf,
    conf: PathBuf,
    smsbox_port: u16,
    pub sendsms_port: u16,
    bearerbox: Option<Child>,
    smsbox: Option<Child>,
    fakesmsc: Option<(Child, ChildStdin)>,
    /// Every output file of the fake SMSC, one per start.
    outputs: Vec<PathBuf>,
}

impl Kannel {
    /// Starts bearerbox, the fake SMSC and smsbox, in that order.
    pub fn start() -> Kannel {
        let dir =
            std::env::temp_dir().join(format!("liandong-kannel-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let (admin, smsbox_port, fake, sendsms) =
            (free_port(), free_port(), free_port(), free_port());
        let d = dir.display();
        let conf = dir.join("kannel.conf");
        std::fs::write(
            &conf,
            format!(
                r#"group = core
admin-port = {admin}
admin-password = "admin-test-pw"
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox_port}
box-allow-ip = "127.0.0.1"
log-file = "{d}/bearerbox.log"
log-level = 1
store-type = file
store-location = "{d}/kannel.store"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {fake}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms}
log-file = "{d}/smsbox.log"
log-level = 1
http-request-retry = 10
http-queue-delay = 1

group = sendsms-user
username = {USERNAME}
password = {PASSWORD}
concatenation = true
max-messages = 10

group = sms-service
keyword = default
text = "ok"
"#
            ),
        )
        .unwrap();
        let mut kannel = Kannel {
            dir,
            conf,
            smsbox_port,
            sendsms_port: sendsms,
            bearerbox: None,
            smsbox: None,
            fakesmsc: None,
            outputs: Vec::new(),
        };
        kannel.fake_port_file(fake);
        kannel.up();
        kannel
    }

    fn fake_port_file(&self, port: u16) {
        std::fs::write(self.dir.join("fake.port"), port.to_string()).unwrap();
    }

    fn fake_port(&self) -> u16 {
        std::fs::read_to_string(self.dir.join("fake.port"))
            .unwrap()
            .parse()
            .unwrap()
    }

    fn log(&self, name: &str) -> File {
        File::options()
            .create(true)
            .append(true)
            .open(self.dir.join(name))
            .unwrap()
    }

    /// Starts the three processes (again, after `down`).
    pub fn up(&mut self) {
        let bearerbox = Command::new(BEARERBOX)
            .arg(&self.conf)
            .stdout(self.log("bearerbox.out"))
            .stderr(self.log("bearerbox.out"))
            .spawn()
            .unwrap();
        self.bearerbox = Some(bearerbox);
        let smsbox_port = self.smsbox_port;
        wait_for("bearerbox listening", Duration::from_secs(60), || {
            listening(smsbox_port)
        });
        let output = self
            .dir
            .join(format!("fakesmsc-{}.out", self.outputs.len()));
        let out = File::create(&output).unwrap();
        let mut fake = Command::new(FAKESMSC)
            .args([
                "-H",
                "127.0.0.1",
                "-r",
                &self.fake_port().to_string(),
                "-i",
                "1",
                "-m",
                "0",
            ])
            .arg("100 200 text unused")
            .stdin(Stdio::piped())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        // The fake SMSC stops at the end of its input: holding the pipe keeps it running.
        let stdin = fake.stdin.take().unwrap();
        self.fakesmsc = Some((fake, stdin));
        let watched = output.clone();
        wait_for("the fake SMSC connected", Duration::from_secs(60), || {
            std::fs::read_to_string(&watched).is_ok_and(|t| t.contains("Connecting"))
        });
        self.outputs.push(output);
        let log = self.dir.join("smsbox.log");
        let connections = || {
            std::fs::read_to_string(&log)
                .map(|t| t.matches("Connected to bearerbox").count())
                .unwrap_or(0)
        };
        let before = connections();
        let smsbox = Command::new(SMSBOX)
            .arg(&self.conf)
            .stdout(self.log("smsbox.out"))
            .stderr(self.log("smsbox.out"))
            .spawn()
            .unwrap();
        self.smsbox = Some(smsbox);
        let sendsms = self.sendsms_port;
        wait_for("smsbox listening", Duration::from_secs(60), || {
            listening(sendsms)
        });
        wait_for(
            "smsbox connected to bearerbox",
            Duration::from_secs(60),
            || connections() > before,
        );
    }

    /// Kills every process (SIGKILL): the gateway is gone.
    pub fn down(&mut self) {
        for child in [self.smsbox.take(), self.bearerbox.take()]
            .into_iter()
            .flatten()
        {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some((mut child, stdin)) = self.fakesmsc.take() {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
        let sendsms = self.sendsms_port;
        wait_for("smsbox gone", Duration::from_secs(10), || {
            !listening(sendsms)
        });
    }

    /// The messages the fake SMSC received, concatenated parts joined: (to, text).
    pub fn received(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        // (to, reference) -> parts by sequence number, with the count expected.
        let mut parts: BTreeMap<(String, u8), (u8, Parts)> = BTreeMap::new();
        for file in &self.outputs {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for line in text.lines().filter(|l| l.contains("Got message")) {
                let (Some(open), Some(close)) = (line.find('<'), line.rfind('>')) else {
                    continue;
                };
                let fields: Vec<&str> = line[open + 1..close].splitn(6, ' ').collect();
                match fields.as_slice() {
                    [_, to, "ucs-2", data] => out.push((to.to_string(), ucs2(&url_decode(data)))),
                    [_, to, "udh", udh, "data", data] => {
                        let udh = url_decode(udh);
                        // 05 00 03 reference total sequence
                        assert_eq!(udh.get(..3), Some(&[5u8, 0, 3][..]), "{line}");
                        let entry = parts.entry((to.to_string(), udh[3])).or_default();
                        entry.0 = udh[4];
                        entry.1.insert(udh[5], url_decode(data));
                    }
                    other => panic!("unexpected fake SMSC line {other:?}"),
                }
            }
        }
        for ((to, reference), (total, pieces)) in parts {
            assert_eq!(
                pieces.len(),
                usize::from(total),
                "message {reference} to {to}: {} of {total} parts",
                pieces.len()
            );
            let bytes: Vec<u8> = pieces.into_values().flatten().collect();
            out.push((to, ucs2(&bytes)));
        }
        out.sort();
        out
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Kannel's URL encoding of binary data: `%XX` escapes, everything else literal.
fn url_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn ucs2(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    String::from_utf16(&units).unwrap()
}
