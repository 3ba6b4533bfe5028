//! Host-driven management (docs/profile.md §7, rule 16): the reply header's R digit asks, after
//! the current transaction, for a parameter download (`1`), a status upload (`2`), a CA public
//! key update (`4`) or an IC parameter update (`5`). The request is journaled; each step is
//! journaled (its STAN) before it is sent; what is downloaded is collected in memory and
//! installed in one record only when complete, so a crash, a refusal or a lost reply in the
//! middle leaves the old set in force. A failed run starts again from its first step after the
//! retry interval, or after a restart.

use super::{OnPersistFail, Outgoing, Purpose, Terminal};
use crate::codec::{Message, Mti};
use crate::engine::downloads::{
    AidParameters, CaKeySet, CaPublicKey, IcParameterSet, Listed, ManagementTask, ParameterSet, QueryPage,
    TerminalParameters,
};
use crate::engine::journal::{next_stan, Record};
use crate::engine::messages;
use crate::engine::output::{CardReaderData, Event, Output};
use crate::time::Timestamp;

/// A management task in progress, carried from step to step in the request's purpose.
pub(super) struct ManagementRun {
    task: ManagementTask,
    step: Step,
    /// What the query pages listed so far.
    listed: Vec<Listed>,
    /// The listed entries not held, downloaded in this order.
    missing: Vec<Listed>,
    ca_keys: Vec<CaPublicKey>,
    aids: Vec<AidParameters>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Parameters,
    Status,
    /// A query page from the entries received so far.
    Query {
        start: usize,
    },
    /// The `index`th missing entry.
    Download {
        index: usize,
    },
    End,
}

/// More entries than a terminal keeps: a query that goes on past it is abandoned.
const MOST_ENTRIES: usize = 99;

impl ManagementRun {
    fn new(task: ManagementTask) -> ManagementRun {
        let step = match task {
            ManagementTask::Parameters => Step::Parameters,
            ManagementTask::StatusUpload => Step::Status,
            ManagementTask::CaKeys | ManagementTask::IcParameters => Step::Query { start: 0 },
        };
        ManagementRun {
            task,
            step,
            listed: Vec::new(),
            missing: Vec::new(),
            ca_keys: Vec::new(),
            aids: Vec::new(),
        }
    }

    pub(super) fn task(&self) -> ManagementTask {
        self.task
    }

    fn keys(&self) -> bool {
        self.task == ManagementTask::CaKeys
    }

    fn describe(&self) -> String {
        let what = if self.keys() { "CA key" } else { "IC parameters" };
        match self.step {
            Step::Parameters => "parameter download (360)".into(),
            Step::Status => "status upload (362)".into(),
            Step::Query { start } => format!("{what} query from entry {start} ({})", self.code()),
            Step::Download { index } => {
                let name = self.missing.get(index).map(listed_name).unwrap_or_default();
                format!(
                    "{what} download {} of {}: {name} ({})",
                    index + 1,
                    self.missing.len(),
                    self.code()
                )
            }
            Step::End => format!("{what} download end ({})", self.code()),
        }
    }

    /// 60.3 of the step's request.
    fn code(&self) -> &'static str {
        match (self.step, self.keys()) {
            (Step::Parameters, _) => "360",
            (Step::Status, _) => "362",
            (Step::Query { .. }, true) => "372",
            (Step::Download { .. }, true) => "370",
            (Step::End, true) => "371",
            (Step::Query { .. }, false) => "382",
            (Step::Download { .. }, false) => "380",
            (Step::End, false) => "381",
        }
    }
}

fn listed_name(listed: &Listed) -> String {
    let id: String = listed.id.iter().map(|b| format!("{b:02X}")).collect();
    match listed.index {
        Some(index) => format!("{id}/{index:02X}"),
        None => id,
    }
}

impl Terminal {
    /// The reply header asked for `task`: journaled once the terminal is free (drive).
    pub(super) fn management_requested(&mut self, task: ManagementTask) {
        if self.state.management_due.contains(&task) || self.requested.contains(&task) {
            // Asked again while due (perhaps waiting out a failed attempt): try again now.
            self.management_now = true;
            return;
        }
        self.requested.push(task);
        self.push(Output::Event(Event::Management {
            task,
            step: "asked for by the acquirer: runs once the current transaction has finished".into(),
        }));
    }

    /// Journals the next requested task (drive calls this when the terminal is free).
    pub(super) fn journal_management_request(&mut self) {
        if self.requested.is_empty() {
            return;
        }
        let task = self.requested.remove(0);
        self.management_now = true;
        self.persist(Record::ManagementRequested(task), Vec::new(), None, OnPersistFail::Halt);
    }

    /// Starts the first task due from its first step.
    pub(super) fn start_management(&mut self, now: Timestamp) {
        let Some(task) = self.state.management_due.first().copied() else {
            return;
        };
        self.management_step(now, Box::new(ManagementRun::new(task)));
    }

    /// Journals the step's STAN, then sends its request.
    fn management_step(&mut self, now: Timestamp, run: Box<ManagementRun>) {
        let stan = next_stan(self.state.last_stan);
        let request = self.management_request(&run, stan);
        let event = Event::Management {
            task: run.task,
            step: run.describe(),
        };
        let record = Record::AboutToSend {
            stan,
            transaction: run.task.kind(),
            reversal: None,
            resend: None,
        };
        let task = run.task;
        let outgoing = Outgoing {
            request,
            purpose: Purpose::Management(run),
            mac: true,
        };
        if let Err(reason) = self.journal_then_send(now, record, outgoing, event, OnPersistFail::Halt) {
            self.management_failed(
                now,
                task,
                format!("the request could not be built or MACed: {reason:?}"),
            );
        }
    }

    fn management_request(&self, run: &ManagementRun, stan: u32) -> Message {
        let (config, batch) = (&self.config, self.state.batch);
        let (mti, f62) = match run.step {
            Step::Parameters | Step::End => (Mti::SIGN_ON, None),
            Step::Status => {
                let offline = self
                    .state
                    .downloads
                    .parameters
                    .as_ref()
                    .and_then(|p| p.parameters.offline_upload_count)
                    .unwrap_or(0);
                (Mti::NETWORK, Some(TerminalParameters::of(config, offline).render()))
            }
            Step::Query { start } => (Mti::NETWORK, Some(format!("1{:02}", start.min(99)).into_bytes())),
            Step::Download { index } => {
                let mut f62 = Vec::new();
                if let Some(entry) = run.missing.get(index) {
                    crate::codec::tlv::push(&mut f62, &[0x9f, 0x06], &entry.id);
                    if let Some(key_index) = entry.index {
                        crate::codec::tlv::push(&mut f62, &[0x9f, 0x22], &[key_index]);
                    }
                }
                (Mti::SIGN_ON, Some(f62))
            }
        };
        messages::management(config, stan, batch, mti, run.code(), f62)
    }

    /// The acquirer answered a step.
    pub(super) fn on_management_reply(&mut self, now: Timestamp, mut run: Box<ManagementRun>, reply: &Message) {
        let code = reply.get_str(39).unwrap_or_default();
        if code != "00" {
            return self.management_abandoned(run.task, format!("refused by the acquirer ({code})"));
        }
        let f62 = reply.get(62).unwrap_or_default();
        let next = match run.step {
            Step::Parameters => return self.install_parameters(now, run.task, f62),
            Step::Status => {
                let done = Event::Management {
                    task: run.task,
                    step: "status uploaded".into(),
                };
                let record = Record::ManagementDone(run.task);
                return self.persist(record, vec![Output::Event(done)], None, OnPersistFail::Halt);
            }
            Step::Query { .. } => {
                let page = match QueryPage::parse(f62, run.keys()) {
                    Ok(page) => page,
                    Err(e) => return self.management_abandoned(run.task, format!("an unreadable query page: {e}")),
                };
                let grew = !page.entries.is_empty();
                run.listed.extend(page.entries);
                if run.listed.len() > MOST_ENTRIES {
                    return self.management_abandoned(run.task, format!("more than {MOST_ENTRIES} entries listed"));
                }
                if page.more && grew {
                    Step::Query {
                        start: run.listed.len(),
                    }
                } else {
                    run.missing = run.listed.iter().filter(|l| !self.holds(l)).cloned().collect();
                    if run.missing.is_empty() {
                        Step::End
                    } else {
                        Step::Download { index: 0 }
                    }
                }
            }
            Step::Download { index } => {
                self.take_download(&mut run, index, f62);
                if index + 1 < run.missing.len() {
                    Step::Download { index: index + 1 }
                } else {
                    Step::End
                }
            }
            Step::End => return self.install_table(now, *run),
        };
        run.step = next;
        self.management_step(now, run);
    }

    /// Whether the set in force holds this listed entry (then it is not downloaded again).
    fn holds(&self, listed: &Listed) -> bool {
        let downloads = &self.state.downloads;
        match listed.index {
            Some(index) => downloads
                .ca_keys
                .as_ref()
                .is_some_and(|set| set.keys.iter().any(|k| k.rid == listed.id && k.index == index)),
            None => downloads
                .ic_parameters
                .as_ref()
                .is_some_and(|set| set.aids.iter().any(|a| a.aid == listed.id)),
        }
    }

    /// Keeps a downloaded key or AID if it is the one asked for and (a key) its DF03 verifies;
    /// otherwise it is refused, and the table is installed without it.
    fn take_download(&mut self, run: &mut ManagementRun, index: usize, f62: &[u8]) {
        let Some(wanted) = run.missing.get(index) else { return };
        let name = listed_name(wanted);
        let refusal = if run.keys() {
            match CaPublicKey::from_tlv(f62) {
                Ok(key) if key.rid != wanted.id || Some(key.index) != wanted.index => {
                    Some(format!("the acquirer sent {} instead", key.name()))
                }
                Ok(key) if !key.verifies() => Some("its check value (DF03) does not verify".into()),
                Ok(key) => {
                    run.ca_keys.push(key);
                    None
                }
                Err(e) => Some(e),
            }
        } else {
            match AidParameters::from_tlv(f62) {
                Ok(aid) if aid.aid != wanted.id => Some(format!("the acquirer sent {} instead", aid.name())),
                Ok(aid) => {
                    run.aids.push(aid);
                    None
                }
                Err(e) => Some(e),
            }
        };
        if let Some(reason) = refusal {
            self.push(Output::Event(Event::Management {
                task: run.task,
                step: format!("{name} refused: {reason}"),
            }));
        }
    }

    fn install_parameters(&mut self, now: Timestamp, task: ManagementTask, f62: &[u8]) {
        let parameters = match TerminalParameters::parse(f62) {
            Ok((parameters, stop)) => {
                if let Some(stop) = stop {
                    self.push(Output::Event(Event::Management { task, step: stop }));
                }
                parameters
            }
            Err(e) => return self.management_abandoned(task, format!("the parameter list is refused: {e}")),
        };
        if let Err(e) = parameters.apply(&self.base_config).validate() {
            return self.management_abandoned(task, format!("the parameter list is refused: {e}"));
        }
        let done = Event::Management {
            task,
            step: "parameters installed".into(),
        };
        let set = ParameterSet {
            installed_at: now.local(self.config.utc_offset_minutes).display(),
            parameters,
        };
        self.persist(
            Record::ParametersInstalled(set),
            vec![Output::Event(done)],
            None,
            OnPersistFail::Halt,
        );
    }

    /// The end was answered: the listed entries, held or downloaded, become the table in force.
    fn install_table(&mut self, now: Timestamp, run: ManagementRun) {
        let installed_at = now.local(self.config.utc_offset_minutes).display();
        let downloads = &self.state.downloads;
        let record = if run.keys() {
            let held = downloads
                .ca_keys
                .as_ref()
                .map(|s| s.keys.as_slice())
                .unwrap_or_default();
            let keys = run
                .listed
                .iter()
                .filter_map(|l| {
                    let same = |k: &&CaPublicKey| k.rid == l.id && Some(k.index) == l.index;
                    run.ca_keys
                        .iter()
                        .find(same)
                        .or_else(|| held.iter().find(same))
                        .cloned()
                })
                .collect();
            Record::CaKeysInstalled(CaKeySet { installed_at, keys })
        } else {
            let held = downloads
                .ic_parameters
                .as_ref()
                .map(|s| s.aids.as_slice())
                .unwrap_or_default();
            let aids = run
                .listed
                .iter()
                .filter_map(|l| {
                    let same = |a: &&AidParameters| a.aid == l.id;
                    run.aids.iter().find(same).or_else(|| held.iter().find(same)).cloned()
                })
                .collect();
            Record::IcParametersInstalled(IcParameterSet { installed_at, aids })
        };
        let count = match &record {
            Record::CaKeysInstalled(set) => set.keys.len(),
            Record::IcParametersInstalled(set) => set.aids.len(),
            _ => 0,
        };
        let mut state = self.state.downloads.clone();
        match &record {
            Record::CaKeysInstalled(set) => state.ca_keys = Some(set.clone()),
            Record::IcParametersInstalled(set) => state.ic_parameters = Some(set.clone()),
            _ => {}
        }
        let done = Event::Management {
            task: run.task,
            step: format!("{count} entries installed"),
        };
        let reader = Output::CardReaderData(card_reader_data(&state));
        self.persist(record, vec![Output::Event(done), reader], None, OnPersistFail::Halt);
    }

    /// The acquirer refused the task or answered what cannot be used: the old set stays in
    /// force and the task is dropped (the acquirer asks again when it wants it).
    fn management_abandoned(&mut self, task: ManagementTask, why: String) {
        let event = Event::Management {
            task,
            step: format!("{why}: the set in force is kept"),
        };
        self.persist(
            Record::ManagementDone(task),
            vec![Output::Event(event)],
            None,
            OnPersistFail::Halt,
        );
    }

    /// A step got no answer (or never left): the old set stays in force; the task starts again
    /// after the retry interval (a waiting command goes first).
    pub(super) fn management_failed(&mut self, now: Timestamp, task: ManagementTask, why: String) {
        self.management_now = false;
        self.push(Output::Event(Event::Management {
            task,
            step: format!("{why}: the set in force is kept; the update starts again later"),
        }));
        if self.queued.is_some() {
            // The waiting command goes first; the retry timer brings the task back.
            self.arm_retry(now);
            return self.drive(now);
        }
        self.back_off(now);
    }
}

/// The card reader's data from the sets in force.
pub(super) fn card_reader_data(downloads: &crate::engine::downloads::DownloadedSets) -> CardReaderData {
    CardReaderData {
        ca_keys: downloads.ca_keys.as_ref().map(|s| s.keys.clone()).unwrap_or_default(),
        aids: downloads
            .ic_parameters
            .as_ref()
            .map(|s| s.aids.clone())
            .unwrap_or_default(),
    }
}
