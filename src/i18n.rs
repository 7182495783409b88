//! The app's message catalogue: every piece of UI text, in Korean and English.
//!
//! Components never hold text of their own: they ask [`t`] for a [`Key`] in the current [`Lang`].
//! Messages with a placeholder (`{0}`) are filled in with [`fill`]. The sentences that narrate
//! the engine's facts are in `kafkalab-narration`, which also defines [`Lang`] and [`fill`].

pub use kafkalab_narration::{fill, Lang};

/// Defines [`Key`] (every message of the UI), `Key::ALL`, and [`t`]. One line per key holding both
/// languages: a key without a translation does not compile.
macro_rules! catalogue {
    ($($key:ident => ($ko:expr, $en:expr $(,)?)),* $(,)?) => {
        /// Every message of the UI. Placeholders `{0}`, `{1}`... are filled with [`fill`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for tests that check the catalogue is complete.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }

        /// The message for `key` in `lang`.
        pub fn t(lang: Lang, key: Key) -> &'static str {
            let (ko, en) = match key { $(Key::$key => ($ko, $en)),* };
            match lang {
                Lang::Ko => ko,
                Lang::En => en,
            }
        }
    };
}

catalogue! {
        Tagline => ("브라우저에서 돌아가는 Apache Kafka 학습 시뮬레이터", "A learning simulator of Apache Kafka, in your browser"),
        LangToggleTitle => ("언어 바꾸기: 영어로", "Switch language: to Korean"),
        ClusterHeading => ("클러스터", "Cluster"),
        ClusterSummary => ("브로커 {0}대", "{0} broker|{0} brokers"),
        BrokerName => ("브로커 {0}", "Broker {0}"),
        ControllerNodeName => ("컨트롤러 {0}", "Controller {0}"),
        ControllerOnlyRole => ("전용 컨트롤러(process.roles=controller)", "dedicated controller (process.roles=controller)"),
        StateAlive => ("살아 있음", "alive"),
        StateFenced => ("펜싱됨", "fenced"),
        StateDead => ("죽음", "dead"),
        ControllerBadge => ("★ 컨트롤러", "★ Controller"),
        QuorumProspective => ("예비 후보(pre-vote)", "prospective (pre-vote)"),
        QuorumCandidate => ("후보(투표 중)", "candidate (voting)"),
        QuorumResigned => ("리더 사임(resigned)", "resigned leader"),
        ClockLabel => ("가상 시간", "Virtual time"),
        LegendController => ("★ 이중 테두리: 액티브 컨트롤러", "★ double border: active controller"),
        LegendAlive => ("실선: 살아 있는 브로커", "solid: broker alive"),
        LegendDead => ("점선: 죽었거나 펜싱된 브로커", "dashed: broker dead or fenced"),
        CanvasTitle => ("Kafka 클러스터의 브로커들", "The brokers of the Kafka cluster"),
        NoticeUnknownLang => (
            "URL의 언어 \u{201c}{0}\u{201d}은(는) 지원하지 않습니다. 한국어로 보여 줍니다 (ko 또는 en).",
            "The URL asks for language \u{201c}{0}\u{201d}, which kafkalab does not have; showing Korean (use ko or en).",
        ),
        NoticeBadNumber => (
            "URL의 {0} 값 \u{201c}{1}\u{201d}은(는) 쓸 수 없는 수여서 무시했습니다 (0 이상의 정수, t는 86400000 ms 이하).",
            "The URL's {0} value \u{201c}{1}\u{201d} is not a usable number; ignored (a non-negative integer; t at most 86400000 ms).",
        ),
        NoticeDismiss => ("알림 닫기", "Dismiss notice"),
        LiveBanner => ("라이브 보기: 직접 띄운 Kafka 클라이언트가 쓰는 kafkalab broker의 클러스터입니다. 시간 여행은 꺼져 있습니다: 클러스터가 실제 시계에 맞춰 돌아갑니다. 브로커를 눌러 장애를 일으켜 보세요.", "Live view: the cluster of kafkalab broker that your own Kafka clients are using. Time travel is off: the cluster runs on the wall clock. Click a broker to inject a fault."),
        LiveConnecting => ("kafkalab broker에 연결하는 중…", "Connecting to kafkalab broker…"),
        LiveConnected => ("연결됨: 클러스터를 실시간으로 보여 줍니다", "Connected: the cluster is shown as it runs"),
        LiveClosed => ("kafkalab broker와의 연결이 끊겼습니다. 프로세스가 실행 중인지 확인하고 페이지를 새로 고치세요.", "The connection to kafkalab broker closed. Check that the process runs, then reload the page."),
        LiveRefused => ("kafkalab broker가 거절했습니다: {0}", "kafkalab broker refused it: {0}"),
        LiveNotInLiveMode => ("라이브 보기에서는 할 수 없는 동작입니다(브로커 장애와 링크 끊기·잇기만 가능)", "Not available in the live view (broker faults and cutting or healing links only)"),
        LiveNarrationEmpty => ("아직 아무 일도 없습니다. 클라이언트를 연결해 보세요.", "Nothing has happened yet. Connect a client."),
        LiveFactsSkipped => ("일상적인 사건 {0}개는 너무 많아 보내지 않았습니다", "{0} routine facts were too many to send"),
        RealClientsFrame => ("실제 클라이언트", "real clients"),
        RealClientsHeading => ("실제 클라이언트", "Real clients"),
        NoRealClients => ("아직 연결한 클라이언트가 없습니다.", "No client has connected yet."),
        RealClientKind => ("클라이언트", "client"),
        AdminKind => ("관리자", "admin"),
        RealClientClosed => ("연결 끊김", "disconnected"),
        RealClientStalled => ("요청 멈춤", "stalled"),
        RealClientAt => ("{0}, {1}에서", "{0} from {1}"),
        RealProducerId => ("프로듀서 id {0}, epoch {1}", "producer id {0}, epoch {1}"),
        RealLinkOpen => ("{0} → 브로커 {1}: 연결 {2}개, 응답 대기 {3}개", "{0} → broker {1}: {2} connection(s), {3} request(s) awaiting an answer"),
        RealLinkStalled => ("{0} → 브로커 {1}: 링크가 끊겨 요청 {3}개가 멈춤 (연결 {2}개)", "{0} → broker {1}: {3} request(s) stalled behind a cut link ({2} connection(s))"),
        RealLinkClosed => ("{0} → 브로커 {1}: 연결 {2}개가 닫힘", "{0} → broker {1}: {2} connection(s) closed"),
        LegendRealConn => ("실제 클라이언트와 그 연결(점선: 닫힘, 빨강: 멈춤)", "a real client and its connections (dashed: closed, red: stalled)"),
        RealHostLabel => ("호스트", "host"),
        RealRolesLabel => ("역할", "role"),
        RealRecordsSent => ("보낸 레코드", "records sent"),
        ColBroker => ("브로커", "broker"),
        ColPeer => ("클라이언트 주소", "client address"),
        ColConnState => ("연결", "connection"),
        ColWaiting => ("응답을 기다리는 요청", "requests awaiting an answer"),
        ConnOpen => ("열림", "open"),
        WaitingSince => ("({0} ms부터)", "(since {0} ms)"),
        ConnStalled => ("멈춤: 링크가 끊김", "stalled: link cut"),
        ConnClosedByBroker => ("닫힘: 브로커가 죽음", "closed: the broker died"),
        ConnClosedByClient => ("닫힘: 클라이언트가 닫음", "closed by the client"),
        EngineError => ("시뮬레이터를 시작하지 못했습니다: {0}", "The simulator could not start: {0}"),
        FooterAbout => (
            "kafkalab: Kafka의 동작을 눈으로 보며 배우는 시뮬레이터",
            "kafkalab: learn how Kafka works by watching it",
        ),
        FooterOffline => (
            "모든 것이 브라우저 안에서 돌아갑니다. 네트워크를 쓰지 않습니다.",
            "Everything runs in your browser; nothing goes over the network.",
        ),
        BtnPlay => ("재생", "Play"),
        BtnPause => ("일시 정지", "Pause"),
        BtnStepBack => ("이벤트 하나 되돌리기", "Step back one event"),
        BtnStep => ("이벤트 하나 진행", "Step one event"),
        BtnStepFact => ("다음 중요한 사건까지", "Step to the next interesting fact"),
        SpeedLabel => ("속도", "Speed"),
        TimelineLabel => ("타임라인: 시간 이동", "Timeline: travel in time"),
        ShortcutsHint => ("단축키: 스페이스 재생/정지, → 이벤트 하나 진행, ← 하나 되돌리기, Shift+→ / Shift+← 다음 / 이전 노트, f 전체 화면", "Keys: space play/pause, → step one event, ← step back one, Shift+→ / Shift+← next / previous note, f fullscreen"),
        ScenarioLabel => ("시나리오", "Scenario"),
        ScDemo => ("데모: 브로커 3대, orders 토픽, 프로듀서와 컨슈머 그룹", "Demo: 3 brokers, topic orders, a producer and a consumer group"),
        ScLarge => ("큰 클러스터: 브로커 9대, 파티션 60개", "Large: 9 brokers, 60 partitions"),
        ScSandbox => ("빈 샌드박스: 브로커 1~12대를 골라 직접 만들기", "Empty sandbox: pick 1 to 12 brokers, build it yourself"),
        PickerPresets => ("미리 준비된 클러스터", "Ready-made clusters"),
        PickerScenarios => ("학습 시나리오", "Learning scenarios"),
        PickerPatterns => ("애플리케이션 패턴", "Application patterns"),
        NotesHeading => ("시나리오 노트", "Scenario notes"),
        NotesUpcoming => ("첫 노트는 {0} ms에 나옵니다. 재생을 누르세요.", "The first note comes at {0} ms. Press play."),
        NotesNext => ("다음 노트: {0} ms", "Next note at {0} ms"),
        NotesDone => ("시나리오의 노트를 모두 보았습니다.", "You have seen every note of this scenario."),
        NotesWaiting => ("다음 노트는 그 이벤트가 일어날 때 나옵니다.", "The next note comes when its event happens."),
        ExplainToggle => ("설명 모드", "Explain mode"),
        ExplainHint => ("노트가 나오면 멈추고 노트가 가리키는 곳을 강조합니다.", "Pauses at each note and highlights what it names."),
        NotePrevious => ("◀ 이전 노트", "◀ Previous note"),
        NoteNext => ("다음 노트 ▶", "Next note ▶"),
        SummaryHeading => ("이 시나리오에서 일어난 일", "What happened in this scenario"),
        SummaryAcked => ("확인(ack)된 레코드 {0}개, 실패한 레코드 {1}개", "{0} records acknowledged, {1} failed"),
        SummaryLost => ("유실된 확인(ack)된 레코드 {0}개", "{0} acknowledged records lost"),
        SummaryDuplicates => ("로그에 두 번 기록된 레코드 {0}개, 컨슈머가 다시 처리한 레코드 {1}개", "{0} records written twice to a log, {1} processed again by consumers"),
        SummarySkipped => ("처리하지 않고 건너뛴 레코드 {0}개", "{0} records skipped without processing"),
        SummaryLeaderless => ("리더 없는 시간 {0} ms (파티션 {1}개)", "{0} ms without a leader ({1} partitions)"),
        SummaryRebalances => ("리밸런스 {0}번: 멈춘 시간 합계 {1} ms, 가장 긴 멈춤 {2} ms", "{0} rebalances: paused {1} ms in all, longest {2} ms"),
        SummaryFrom => ("({0} ms 이후의 기록으로 셌습니다)", "(counted from the facts kept since {0} ms)"),
        ShowForms => ("자유 실험 도구 보기 (프로듀서, 클러스터 구성)", "Show the free-form tools (producer, cluster)"),
        StepFailed => ("{0} ms의 단계를 실행하지 못했습니다: {1}", "The step at {0} ms could not run: {1}"),
        SlowMark => ("느림 +{0} ms", "slow +{0} ms"),
        Repeated => ("{0}번 반복", "repeated {0} times"),
        ScDemoNote => ("acks=all 프로듀서가 orders(파티션 3개, 복제 3, min.insync.replicas=2)에 초당 4건을 쓰고, billing 그룹의 컨슈머 2명이 읽습니다. 리더 브로커를 죽이거나 컨슈머를 죽여 보세요.", "An acks=all producer writes 4 records/s to orders (3 partitions, RF 3, min.insync.replicas=2); two consumers of group billing read them. Try killing a leader's broker or a consumer."),
        ScLargeNote => ("브로커 9대, events 토픽 파티션 60개(복제 3), 초당 200건, analytics 그룹의 컨슈머 3명. 큰 클러스터에서 장애가 어떻게 퍼지는지 보세요.", "9 brokers, topic events with 60 partitions (RF 3), 200 records/s, three consumers of group analytics. Watch how a fault spreads in a larger cluster."),
        ScSandboxNote => ("브로커만 있는 클러스터입니다. 아래에서 토픽, 프로듀서, 컨슈머를 추가하세요.", "A cluster of brokers only. Add a topic, producers and consumers below."),
        SandboxBrokers => ("샌드박스 브로커 수", "Sandbox brokers"),
        ShowInternal => ("내부 토픽(__consumer_offsets) 보기", "Show internal topics (__consumer_offsets)"),
        LargeText => ("큰 글씨(프로젝터)", "Large text (projector)"),
        LegendTopicName => ("토픽", "topic"),
        LegendTopic => ("토픽 이름 다음에 이 브로커에 있는 그 토픽의 파티션 번호 (F 0: 0번 파티션, 팔로워)", "a topic's name, then the numbers of its partitions on this broker (F 0: partition 0, follower)"),
        LegendLeader => ("L 굵은 테두리: 리더 레플리카", "L thick border: leader replica"),
        LegendFollower => ("F: 팔로워 레플리카", "F: follower replica"),
        LegendOutOfIsr => ("빗금 + ✕: ISR 밖", "hatched + ✕: out of the ISR"),
        LegendAdding => ("+ 초록 테두리: 재할당으로 추가되는 레플리카 (따라잡아 ISR에 들어가는 중)", "+ green border: a replica a reassignment is adding (catching up to join the ISR)"),
        LegendRemoving => ("− 주황 점선: 재할당으로 빠질 레플리카 (새 레플리카가 모두 ISR에 들면 삭제)", "− orange dashes: a replica a reassignment will remove (once every new one is in the ISR)"),
        ReplicaAdding => ("재할당으로 추가되는 중", "being added by a reassignment"),
        ReplicaRemoving => ("재할당으로 빠질 예정", "to be removed by a reassignment"),
        LegendElr => ("빗금 + E: ISR 밖이지만 ELR(리더 자격이 남은 레플리카)", "hatched + E: out of the ISR but an eligible leader replica (ELR)"),
        RackLabel => ("rack {0}", "rack {0}"),
        ClientRackMark => ("@{0}", "@{0}"),
        ReadByTile => ("{0}이(가) 여기서 읽음 (선호 읽기 레플리카)", "read here by {0} (preferred read replica)"),
        FetchPathTitle => ("{0}은(는) {1}을(를) 브로커 {2}에서 읽습니다", "{0} reads {1} from broker {2}"),
        FetchPathFollower => ("같은 rack의 팔로워 (선호 읽기 레플리카, KIP-392)", "a follower in its rack (preferred read replica, KIP-392)"),
        FetchPathLeader => ("리더", "the leader"),
        LegendFetchPath => ("굵은 선 + R: 컨슈머가 같은 rack의 팔로워에서 읽음 (KIP-392), 가는 점선: 리더에서 읽음", "thick line + R: a consumer reads from a follower in its rack (KIP-392); thin dashes: it reads from the leader"),
        LegendCut => ("점선 호 + ✂: 끊긴 링크 (클릭하면 복구, 화살표: 한 방향만)", "dashed arc + ✂: cut link (click to heal; an arrow: one way only)"),
        LegendMessage => ("움직이는 점: 날아가는 요청/응답", "moving dots: requests and responses in flight"),
        SummaryRoles => ("리더 {0} · 팔로워 {1}", "leaders {0} · followers {1}"),
        SummaryOutOfIsr => ("ISR 밖 {0}", "out of ISR {0}"),
        Leader => ("리더", "leader"),
        Follower => ("팔로워", "follower"),
        InIsr => ("ISR 안", "in ISR"),
        OutOfIsr => ("ISR 밖", "out of ISR"),
        InElr => ("ELR: 리더 자격이 남은 레플리카", "ELR: eligible leader replica"),
        ProducerKind => ("프로듀서", "producer"),
        ConsumerKind => ("컨슈머", "consumer"),
        GroupFrame => ("그룹 {0}", "group {0}"),
        ConsumerStopped => ("멈춤", "stopped"),
        ConsumerIdle => ("유휴", "idle"),
        FaultsHeading => ("장애 주입", "Failure injection"),
        KillBroker => ("브로커 {0} 죽이기", "Kill broker {0}"),
        RestartBroker => ("브로커 {0} 재시작", "Restart broker {0}"),
        ShutdownBroker => ("브로커 {0} 정상 종료", "Stop broker {0} gracefully"),
        ShutdownBrokerAria => ("브로커 {0} 정상 종료: 컨트롤러가 리더십을 옮긴 뒤 멈춤(controlled shutdown)", "Stop broker {0} gracefully: the controller moves its leaderships first (controlled shutdown)"),
        ShuttingDownMark => ("종료 중(controlled shutdown)", "stopping (controlled shutdown)"),
        KillController => ("컨트롤러 죽이기", "Kill the controller"),
        LinkFrom => ("링크 한쪽", "Link end A"),
        LinkTo => ("링크 다른 쪽", "Link end B"),
        CutLink => ("링크 끊기", "Cut link"),
        HealLink => ("링크 복구", "Heal link"),
        SlowNode => ("느리게 (+{0} ms)", "Slow down (+{0} ms)"),
        UnslowNode => ("속도 복구", "Restore speed"),
        CrashConsumer => ("{0} 죽이기", "Crash {0}"),
        RestartConsumer => ("{0} 재시작", "Restart {0}"),
        CrashProducer => ("프로듀서 {0} 죽이기", "Crash producer {0}"),
        RestartProducer => ("프로듀서 {0} 재시작", "Restart producer {0}"),
        AddConsumer => ("컨슈머 추가", "Add consumer"),
        ActionFailed => ("할 수 없습니다: {0}", "Not possible: {0}"),
        NarrationHeading => ("무슨 일이 일어났나", "What happened"),
        NarrationJump => ("이 순간으로 이동", "Jump to this moment"),
        ShowRoutine => ("일상적인 사건도 보기(쓰기, 폴링, 커밋)", "Show routine facts too (appends, polls, commits)"),
        NarrationEmpty => ("아직 아무 일도 없습니다. 재생을 누르세요.", "Nothing has happened yet. Press play."),
        TimelineKeptFrom => ("{0} ms 이전으로는 되돌아갈 수 없습니다(메모리를 아끼려고 최근 구간만 보관합니다). 처음(0 ms)으로는 갈 수 있습니다.", "The timeline keeps only the time since {0} ms (to bound memory); earlier points land there. The start (0 ms) stays reachable."),
        NarrationTruncated => ("{0} ms보다 앞선 기록은 더 이상 보관하지 않습니다(메모리를 아끼려고 최근 기록만 남깁니다).", "Facts before {0} ms are no longer kept (only the recent history is, to bound memory)."),
        GroupsHeading => ("컨슈머 그룹", "Consumer groups"),
        NoGroups => ("그룹이 없습니다.", "No groups yet."),
        GroupStateLabel => ("상태", "State"),
        GenerationLabel => ("세대(generation)", "Generation"),
        AssignorLabel => ("프로토콜 / 할당 전략", "Protocol / assignor"),
        CoordinatorLabel => ("코디네이터", "Coordinator"),
        MembersLabel => ("멤버와 할당", "Members and assignments"),
        GroupLeaderMark => ("(그룹 리더)", "(group leader)"),
        LagHeading => ("컨슈머 랙(lag)", "Consumer lag"),
        ColPartition => ("파티션", "Partition"),
        ColCommitted => ("커밋", "Committed"),
        ColLogEnd => ("끝(HW)", "End (HW)"),
        ColLag => ("랙(커밋 기준)", "Lag (from commit)"),
        ColPosition => ("다음 읽을 오프셋(position)", "Position"),
        ColPositionLag => ("랙(position 기준)", "Lag (from position)"),
        PositionLagToLso => ("read_committed 컨슈머의 랙은 LSO까지 잽니다(열린 트랜잭션 뒤의 레코드는 아직 읽을 수 없으니까요).", "A read_committed consumer's lag is measured to the LSO (records after an open transaction cannot be read yet)."),
        PositionLagToHw => ("랙은 HW까지 잽니다.", "Lag is measured to the HW."),
        NoOwner => ("소유자 없음", "no owner"),
        RebalanceSteps => ("리밸런스 단계", "Rebalance steps"),
        ProducerHeading => ("프로듀서", "Producer"),
        NoProducers => ("프로듀서가 없습니다. 먼저 추가하세요.", "No producer yet; add one first."),
        TerminalHeading => ("터미널", "Terminal"),
        TerminalHint => (
            "Kafka 도구를 그대로 입력하세요(kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh, kafka-consumer-groups.sh …). Tab: 자동 완성, ↑/↓: 이전 명령, Ctrl+D: 프로듀서 입력 끝, Ctrl+C: 취소 또는 콘솔 컨슈머 중지. 명령을 기다리는 동안 가상 시간이 흐르고, 콘솔 컨슈머는 시뮬레이션이 재생되는 동안 레코드를 출력합니다.",
            "Type Kafka's tools as you would in a shell (kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh, kafka-consumer-groups.sh, …). Tab completes, ↑/↓ recall, Ctrl+D ends a producer's input, Ctrl+C cancels or stops a console consumer. Virtual time passes while a command waits; a console consumer prints records as the simulation plays.",
        ),
        TerminalInput => ("터미널 명령", "Terminal command"),
        TerminalProducerInput => ("프로듀서 입력 중: 한 줄에 메시지 하나, Ctrl+D로 끝", "Producer input: one message per line, Ctrl+D to end"),
        TerminalClear => ("지우기", "Clear"),
        TerminalRunningInput => ("Ctrl+C: 콘솔 컨슈머 중지", "Ctrl+C stops the console consumer"),
        TerminalRunning => (
            "콘솔 컨슈머 실행 중: 시뮬레이션이 재생(▶)되거나 한 단계씩 진행되면 레코드가 출력됩니다. Ctrl+C로 멈추고, 지금 입력한 명령은 그 뒤에 실행됩니다.",
            "Console consumer running: records print as the simulation plays (▶) or steps. Ctrl+C stops it; commands typed now run after it.",
        ),
        TopicLabel => ("토픽", "Topic"),
        KeyLabel => ("키", "Key"),
        ValueLabel => ("값", "Value"),
        HeadersLabel => ("헤더 (이름=값, 쉼표로 구분)", "Headers (name=value, comma-separated)"),
        SendOne => ("레코드 하나 보내기", "Send one record"),
        RateLabel => ("초당 레코드", "Records/s"),
        StartStream => ("스트림 시작", "Start stream"),
        StopStream => ("스트림 멈추기", "Stop stream"),
        SendResults => ("보내기 결과", "Send results"),
        ResultPending => ("대기 중", "pending"),
        ResultAcked => ("{0} 오프셋 {1}", "{0} offset {1}"),
        ResultAckedNoOffset => ("{0} (acks=0: 오프셋 모름)", "{0} (acks=0: offset unknown)"),
        ResultFailed => ("실패: {0}", "failed: {0}"),
        ResultProcessCrashed => ("알 수 없음: 프로세스가 죽었습니다", "unknown: the process crashed"),
        AddProducer => ("프로듀서 추가", "Add producer"),
        IdempotenceLabel => ("멱등성(enable.idempotence)", "enable.idempotence"),
        LingerLabel => ("linger.ms", "linger.ms"),
        IgnoreKeysLabel => ("키 무시(partitioner.ignore.keys)", "partitioner.ignore.keys"),
        CreateTopic => ("토픽 만들기", "Create topic"),
        PartitionsLabel => ("파티션 수", "Partitions"),
        RfLabel => ("복제 계수", "Replication factor"),
        GroupIdLabel => ("group.id", "group.id"),
        BuildHeading => ("클러스터 구성", "Build the cluster"),
        InspectorHeading => ("파티션 로그", "Partition log"),
        InspectorPick => ("파티션 선택", "Choose a partition"),
        InspectorNone => ("토픽이 없습니다.", "No topics yet."),
        SegmentLabel => ("세그먼트 {0} (기준 오프셋 {1})", "Segment {0} (base offset {1})"),
        LogStartMark => ("로그 시작 {0}", "log start {0}"),
        HwMark => ("HW {0}", "HW {0}"),
        LeoMark => ("LEO {0}", "LEO {0}"),
        LsoMark => ("LSO {0}", "LSO {0}"),
        LsoTitle => ("LSO(last stable offset) {0}: read_committed 컨슈머는 이 앞까지만 읽습니다(가장 오래된 열린 트랜잭션의 첫 오프셋).", "LSO (last stable offset) {0}: read_committed consumers read only below it (the first offset of the oldest open transaction)."),
        TxnOpenTitle => ("열린 트랜잭션의 레코드 (producer id {0})", "record of an open transaction (producer id {0})"),
        TxnCommittedTitle => ("커밋된 트랜잭션의 레코드 (producer id {0})", "record of a committed transaction (producer id {0})"),
        TxnAbortedTitle => ("중단된 트랜잭션의 레코드: read_committed 컨슈머는 건너뜁니다 (producer id {0})", "record of an aborted transaction: read_committed consumers skip it (producer id {0})"),
        MarkerCommitTitle => ("COMMIT 마커 (producer id {0})", "COMMIT marker (producer id {0})"),
        MarkerAbortTitle => ("ABORT 마커 (producer id {0})", "ABORT marker (producer id {0})"),
        ConsumerBackingOff => ("재시도 대기", "back-off"),
        ListenersHeading => ("리스너(Spring @KafkaListener)", "Listeners (Spring @KafkaListener)"),
        ListenersHint => ("컨슈머마다 선언한 리스너 프로그램입니다: 레코드별 규칙([[rule]])과 에러 핸들러([error_handler]: DefaultErrorHandler 또는 @RetryableTopic). 고쳐서 적용하면 다음 레코드부터 새 프로그램이 처리합니다.", "Each consumer's declared listener: per-record rules ([[rule]]) and its error handler ([error_handler]: DefaultErrorHandler or @RetryableTopic). Edit and apply: the new program handles the next record."),
        ListenerFailures => ("실패", "Failures"),
        ListenerBackOffs => ("back-off", "Back-offs"),
        ListenerDeadLettered => ("DLT로", "To a DLT"),
        ListenerForwarded => ("재시도 토픽으로", "To retry topics"),
        ListenerState => ("지금", "Now"),
        ListenerSleeping => ("{0}ms까지 back-off로 잠듦", "sleeping a back-off until {0} ms"),
        ListenerPaused => ("{0} 멈춤({1}ms까지)", "{0} paused until {1} ms"),
        ListenerRunning => ("처리 중", "processing"),
        ListenerProgram => ("리스너 프로그램", "Listener program"),
        ListenerApply => ("적용", "Apply"),
        ListenerNone => ("(선언된 리스너 없음)", "(no declared listener)"),
        ProcessorsHeading => ("처리 결과: 전달 보장 비교", "Processing results: delivery guarantees"),
        ProcessorsHint => ("각 앱의 출력 토픽을 read_committed로 읽어, 그룹이 커밋한 입력 레코드마다 결과가 빠졌는지, 두 번 있는지 셉니다.", "Each app's output topic read with read_committed: for every input record its group committed, is the result missing or there twice?"),
        StreamsHeading => ("Kafka Streams: 토폴로지와 상태 스토어", "Kafka Streams: topology and state stores"),
        StreamsHint => ("애플리케이션마다 토폴로지(소스, 프로세서, 상태 스토어, 싱크, 내부 토픽)와, 인스턴스마다 태스크의 상태, 스트림 시간, 늦어서 버린 레코드, 스토어 내용(키 → 윈도우별 값)입니다.", "Each application's topology (source, processors, state store, sink, internal topics), and per instance its tasks: state, stream time, records dropped as late, and the store's contents (key → value per window)."),
        StreamsApplication => ("애플리케이션 {0}", "Application {0}"),
        StreamsTopologyLabel => ("{0}의 토폴로지", "Topology of {0}"),
        StreamsSource => ("소스 토픽", "source topic"),
        StreamsGroupBy => ("키 정하기", "grouping"),
        StreamsRepartition => ("리파티션 토픽", "repartition topic"),
        StreamsAggregate => ("집계", "aggregation"),
        StreamsSink => ("싱크 토픽", "sink topic"),
        StreamsStore => ("상태 스토어(인메모리)", "state store (in-memory)"),
        StreamsChangelog => ("체인지로그 토픽", "changelog topic"),
        StreamsTumbling => ("텀블링 {0}, 유예 {1}", "tumbling {0}, grace {1}"),
        StreamsHopping => ("호핑 {0}, {1}마다, 유예 {2}", "hopping {0} every {1}, grace {2}"),
        StreamsRunning => ("실행 중", "running"),
        StreamsCrashed => ("죽음", "down"),
        StreamsNoTasks => ("맡은 상태 태스크 없음", "no stateful task"),
        StreamsRestoring => ("체인지로그에서 {0}건 복원: 오프셋 {1} → {2} / 끝 {3}", "restored {0} from the changelog: offset {1} → {2} of end {3}"),
        StreamsTask => ("태스크 {0}", "task {0}"),
        StreamsStreamTime => ("스트림 시간 {0}", "stream time {0}"),
        StreamsRestored => ("복원한 레코드 {0}건", "{0} records restored"),
        StreamsDropped => ("버린 레코드 {0}건(dropped-records)", "{0} dropped (dropped-records)"),
        StreamsLastDropped => ("— 마지막: 오프셋 {0}, 타임스탬프 {1}, 닫힌 윈도우 {2}", "— last: offset {0}, timestamp {1}, closed window {2}"),
        StreamsKey => ("키", "key"),
        StreamsWindow => ("윈도우", "window"),
        StreamsValue => ("값", "value"),
        ProcessorApp => ("앱 → 출력 토픽", "App → output topic"),
        ProcessorConsumed => ("커밋된 입력", "Inputs committed"),
        ProcessorOutputs => ("읽히는 결과", "Results read"),
        ProcessorMissing => ("빠짐", "Missing"),
        ProcessorDuplicates => ("중복", "Duplicates"),
        ProcessorAborted => ("중단되어 건너뜀", "Aborted, skipped"),
        AtMostOnce => ("최대 한 번(at-most-once)", "at-most-once"),
        AtLeastOnce => ("최소 한 번(at-least-once)", "at-least-once"),
        ExactlyOnce => ("정확히 한 번(exactly-once)", "exactly-once"),
        TxnHeading => ("트랜잭션", "Transactions"),
        TxnCoordinatorRow => ("코디네이터 브로커 {0} · producer id {1} · 에포크 {2}", "coordinator broker {0} · producer id {1} · epoch {2}"),
        TxnPartitions => ("파티션: {0}", "partitions: {0}"),
        TxnProducerRow => ("{0} ({1}): 커밋 {2}번, 중단 {3}번", "{0} ({1}): {2} committed, {3} aborted"),
        ReplicaPosition => ("브로커 {0} ({1}): LEO {2}, HW {3}", "broker {0} ({1}): LEO {2}, HW {3}"),
        CommittedMark => ("그룹 {0} 커밋 {1}, 랙 {2}", "group {0} committed {1}, lag {2}"),
        RecordsTrimmed => ("오래된 레코드 {0}개는 생략 (그중 세그먼트 {1}개는 통째로)", "{0} older records not shown ({1} whole segments)"),
        LogDeleted => ("오프셋 0–{0}: 보존 기간(retention.ms)이 지난 세그먼트째 삭제됨", "offsets 0–{0}: deleted with their segments after retention.ms"),
        CompactedGap => ("#{0}–#{1}: 컴팩션으로 제거됨 (같은 키의 더 새 레코드가 있음)", "#{0}–#{1}: removed by compaction (a newer record has the same key)"),
        NullValue => ("(null)", "(null)"),
        NoticeUnknownScenario => ("URL의 시나리오 \u{201c}{0}\u{201d}은(는) 없습니다. 데모를 보여 줍니다.", "The URL asks for scenario \u{201c}{0}\u{201d}, which does not exist; showing the demo."),
        NoticeCorruptWorkspace => ("저장된 작업 공간을 읽을 수 없어 새로 시작합니다.", "The saved workspace could not be read; starting clean."),
        NoticeUnknownLesson => ("URL의 레슨 \u{201c}{0}\u{201d}은(는) 없습니다. 레슨: {1}", "The URL asks for lesson \u{201c}{0}\u{201d}, which does not exist. Lessons: {1}"),
        NoticeUnknownStep => ("이 시나리오에는 {0}번 단계의 안내가 없습니다.", "This scenario has no step note {0}."),
        NoticeUnknownQuestion => ("열린 레슨에는 \u{201c}{0}\u{201d} 질문이 없습니다(또는 다른 시나리오의 질문입니다).", "The open lesson has no question \u{201c}{0}\u{201d} (or it belongs to another scenario)."),
        NoticeBadFork => ("분기를 만들 수 없습니다: {0}", "Cannot fork: {0}"),
        NoticeCorruptProgress => ("저장된 레슨 진도를 읽을 수 없어 새로 시작합니다. 읽지 못한 내용은 localStorage의 {0}에 그대로 남겨 두었습니다.", "The saved lesson progress could not be read; starting clean. The unreadable text is kept in localStorage under {0}."),
        NoticeVerdictFailed => ("답을 확인하지 못했습니다: {0}", "The answer could not be checked: {0}"),
        LessonPath => ("학습 경로", "Lesson path"),
        LessonProgress => ("{0}/{1} 완료", "{0} of {1} done"),
        LessonDone => ("완료", "done"),
        LessonClose => ("레슨 닫기", "Close the lesson"),
        LessonBack => ("← 학습 경로", "← Lesson path"),
        LessonScenarios => ("시나리오", "Scenarios"),
        LessonLook => ("그림에서 볼 곳", "What to look at"),
        LessonGoTo => ("{0} ms로 가서 보기", "Go to {0} ms and look"),
        LessonQuestions => ("예측하고 실행하기", "Predict, then run"),
        LessonAsk => ("질문으로 가기 ({0} ms)", "Go to the question ({0} ms)"),
        LessonRun => ("{0} ms까지 실행", "Run to {0} ms"),
        LessonPickFirst => ("먼저 답을 고르세요. 그다음 {0} ms까지 실행하면 엔진이 확인합니다.", "Pick an answer first; then run to {0} ms and the engine checks it."),
        LessonRunHint => ("이제 {0} ms까지 실행하세요(재생, 한 단계씩, 또는 아래 버튼).", "Now run to {0} ms (play, step, or the button below)."),
        LessonRight => ("맞았습니다!", "Right!"),
        LessonWrong => ("아쉽습니다. 정답: {0}", "Not quite. The answer: {0}"),
        LessonMeasured => ("엔진이 잰 값: {0} (seed {1})", "What the engine measured: {0} (seed {1})"),
        LessonOtherScenario => ("이 질문은 시나리오 {0}에서 합니다.", "This question is about scenario {0}."),
        LessonTry => ("직접 해 보기", "Try it yourself"),
        LessonTryTerminal => ("터미널에서 실행", "Run in the terminal"),
        LessonOpenSandbox => ("{0} 열기", "Open {0}"),
        LessonForks => ("what-if 분기", "What-if forks"),
        ForkStart => ("분기해서 비교: {0}", "Fork and compare: {0}"),
        ForkHeading => ("분기 비교: 같은 시드 {0}, {1} ms", "Fork: same seed {0}, at {1} ms"),
        ForkAsWritten => ("그대로", "As written"),
        ForkChanged => ("바꾼 쪽: {0}", "Changed: {0}"),
        ForkClose => ("분기 닫기", "Close the fork"),
        ForkInput => ("설정 또는 동작 하나 바꾸기 (producer:이름:키=값, topic:…, broker:2:…, +kill-broker:2, -kill-broker:2)", "Change one setting or action (producer:NAME:KEY=VALUE, topic:…, broker:2:…, +kill-broker:2, -kill-broker:2)"),
        ForkGo => ("처음부터 분기", "Fork from the start"),
        ForkHere => ("여기서 분기 ({0} ms)", "Fork here ({0} ms)"),
        ForkFrom => ("{0} ms에서 갈라짐: 그때까지 두 실행은 똑같습니다", "parted at {0} ms: both runs are the same until then"),
        LessonPlanOpen => ("수업 계획 보기(인쇄용)", "Lesson plan (to print)"),
        LessonPlanHeading => ("수업 계획: {0}", "Lesson plan: {0}"),
        LessonPlanPrint => ("인쇄", "Print"),
        LessonPlanClose => ("계획 닫기", "Close the plan"),
        LessonPlanSteps => ("단계 ({0})", "Steps ({0})"),
        LessonPlanStepLink => ("이 단계에서 수업 시작", "Start the class at this step"),
        LessonPlanWhen => ("{0} 이후, 사실 {1}이(가) 일어날 때", "from {0} ms, when {1} happens"),
        LessonPlanAnswerNote => ("정답은 시뮬레이션이 정합니다(앱에서 실행해 확인).", "The simulation decides the answer (run it in the app to check)."),
        LessonPlanForkFrom => ("{0} ms부터", "from {0} ms"),
        ForkRowAcked => ("확인(ack)된 레코드", "Records acknowledged"),
        ForkRowFailed => ("실패한 레코드", "Records failed"),
        ForkRowLost => ("유실된 확인(ack)된 레코드", "Acknowledged records lost"),
        ForkRowDuplicates => ("로그의 중복 레코드", "Duplicates in the log"),
        ForkRowProcessedTwice => ("다시 처리한 레코드", "Processed twice"),
        ForkRowSkipped => ("건너뛴 레코드", "Skipped"),
        ForkRowLeaderless => ("리더 없던 시간(ms, 파티션 합)", "Time without a leader (ms, summed)"),
        ForkRowRebalances => ("리밸런스", "Rebalances"),
        ForkRowRebalancePause => ("리밸런스로 멈춘 시간(ms)", "Rebalance pause (ms)"),
        NoticeDropped => ("저장된 작업 중 {0}개는 다시 적용할 수 없어 뺐습니다.", "{0} saved action could not be applied again and was dropped.|{0} saved actions could not be applied again and were dropped."),
        ShareLink => ("이 화면의 공유 링크", "Share link to this view"),
        ScScale => ("대규모: 브로커 100대, 파티션 10,000개 (실시간보다 느림)", "Scale: 100 brokers, 10,000 partitions (slower than real time)"),
        ScScaleNote => ("엔진의 scale 워크로드: 브로커 100대, orders 토픽 파티션 10,000개(복제 3), 프로듀서 50개, 컨슈머 20명의 그룹. 이 크기에서는 페이지가 실시간을 따라가지 못해 프레임마다 정해진 만큼만 계산합니다. 브로커를 골라 죽이고 복제가 부족한 파티션 목록이 늘어나는 것을 보세요.", "The engine's scale workload: 100 brokers, topic orders with 10,000 partitions (RF 3), 50 producers, a group of 20 consumers. At this size the page cannot keep up with real time, so each frame does a bounded amount of work. Pick a broker, kill it and watch the under-replicated list grow."),
        PaceBehind => ("실제 시간의 {0}배로 시뮬레이션 중 (고른 속도 {1})", "simulating at {0}× real time (chosen {1})"),
        ScaleHeading => ("클러스터 요약", "Cluster summary"),
        ScaleTotals => ("살아 있는 브로커 {0}/{1}대 · 파티션 {2}개 · 복제가 부족한 파티션 {3}개 · 리더 없는 파티션 {4}개", "{0} of {1} brokers alive · {2} partitions · {3} under-replicated · {4} without a leader"),
        ScaleLegend => ("칸마다 브로커 번호, 리더/팔로워 파티션 수, ISR 밖 레플리카 수(−). ★는 컨트롤러입니다.", "Each cell: broker id, partitions led/followed, replicas out of ISR (−). ★ is the controller."),
        ScaleBrokerTitle => ("브로커 {0} ({1}): 리더 {2}, 팔로워 {3}, ISR 밖 {4}", "Broker {0} ({1}): leader of {2}, follower of {3}, {4} out of ISR"),
        ScaleAlive => ("살아 있음", "alive"),
        ScaleDead => ("죽음", "dead"),
        ScalePick => ("브로커 칸을 누르면 죽이거나 다시 시작할 수 있습니다.", "Pick a broker's cell to kill or restart it."),
        ScaleKill => ("이 브로커 죽이기", "Kill this broker"),
        ScaleRestart => ("이 브로커 다시 시작", "Restart this broker"),
        ScaleUrpHeading => ("복제가 부족한 파티션 {0}개", "Under-replicated partitions: {0}"),
        ScaleUrpNone => ("모든 파티션의 ISR에 레플리카가 모두 있습니다.", "Every partition has all its replicas in its ISR."),
        ScaleUrpMore => ("외 {0}개 (처음 {1}개만 보여 줍니다)", "and {0} more (the first {1} are shown)"),
        ScalePartition => ("파티션", "Partition"),
        ScaleReplicas => ("레플리카", "Replicas"),
        ScaleNoLeader => ("없음", "none"),
        ScaleGroupsHeading => ("컨슈머 그룹", "Consumer groups"),
        ScaleGroup => ("그룹", "Group"),
        ScaleState => ("상태", "State"),
        ScaleGeneration => ("세대", "Generation"),
        ScaleMembers => ("멤버", "Members"),
        ScaleLag => ("랙", "Lag"),
        ScaleProducersHeading => ("프로듀서", "Producers"),
        ScaleProducers => ("실행 중 {0}/{1}개 · 확인(ack)된 레코드 {2}개 · 실패한 레코드 {3}개", "{0} of {1} running · {2} records acknowledged · {3} failed"),
        Summarised => ("파티션이 64개 또는 브로커가 12대를 넘어 브로커마다 요약해서 보여 줍니다.", "More than 64 partitions or 12 brokers: each broker is summarised."),
        ViewPanels => ("패널", "Panels"),
        NodeMenuLabel => ("{0}에 할 수 있는 장애", "Faults for {0}"),
        NodeAria => ("{0}, {1}. Enter 또는 오른쪽 클릭: 장애 메뉴. 다른 노드로 끌면 그 사이 링크가 끊깁니다.", "{0}, {1}. Enter or right-click: fault menu. Drag to another node to cut the link between them."),
        LinkTitle => ("끊긴 링크 {0} ↔ {1}", "Cut link {0} ↔ {1}"),
        LinkOneWayAria => ("한 방향만 끊긴 링크 {0} → {1}. 클릭하면 복구, 오른쪽 클릭은 메뉴.", "Link cut one way, {0} → {1}. Click to heal it; right-click for the menu."),
        LinkAria => ("끊긴 링크 {0} ↔ {1}. 클릭하면 복구, 오른쪽 클릭은 메뉴.", "Cut link {0} ↔ {1}. Click to heal it; right-click for the menu."),
        IsolateNode => ("{0} 고립시키기 (모든 링크 끊기)", "Isolate {0} (cut every link)"),
        SlowNodeNamed => ("{0} 느리게 (+{1} ms)", "Slow {0} down (+{1} ms)"),
        UnslowNodeNamed => ("{0} 속도 복구", "Restore the speed of {0}"),
        KillControllerOn => ("액티브 컨트롤러 죽이기 ({0})", "Kill the active controller ({0})"),
        CloseConsumer => ("{0} 정상 종료 (커밋, LeaveGroup)", "Close {0} cleanly (commit, LeaveGroup)"),
        StopStreamOf => ("{0}의 스트림 멈추기", "Stop the stream of {0}"),
        CutLinksTo => ("링크 끊기…", "Cut a link to…"),
        CutBoth => ("{0} ↔ {1} 양방향 끊기", "Cut {0} ↔ {1} both ways"),
        CutOneWay => ("{0} → {1} 한 방향만 끊기", "Cut only {0} → {1}"),
        HealBetween => ("{0} ↔ {1} 링크 복구", "Heal the link {0} ↔ {1}"),
        CutDirHint => ("↔ 양방향 · → {0}에서 나가는 쪽만 · ← {0}(으)로 들어오는 쪽만", "↔ both ways · → only out of {0} · ← only into {0}"),
        HealLinksHeading => ("끊긴 링크 복구", "Heal cut links"),
        MenuClose => ("메뉴 닫기 (Esc)", "Close the menu (Esc)"),
        DragCutHint => ("놓으면 링크가 끊깁니다", "release to cut the link"),
        StaleNotFenced => ("연결 끊김 — 아직 펜싱 전", "unreachable — not yet fenced"),
        StaleFenced => ("지난 상태 — 펜싱됨", "stale — fenced"),
        StaleTile => ("지난 상태: 이 브로커는 지금 반영할 수 없습니다", "stale: this broker cannot act on it now"),
        LegendStale => ("흐린 점선 타일 + 꼬리표: 죽었거나 연결이 끊긴 브로커의 지난 상태", "faded dashed tiles + label: last state of a dead or unreachable broker"),
        LegendStill => ("멈춘 표시: 날아가는 요청/응답 (움직임 줄이기 설정)", "still markers: requests and responses in flight (reduced motion)"),
        ShowLogs => ("파티션 로그 보기", "Show the partition logs"),
        ShowBrokers => ("브로커 보기", "Show the brokers"),
        LogViewHint => ("파티션마다 레플리카 한 줄씩, 오프셋을 맞춰 그렸습니다.", "One strip per replica of each partition, aligned by offset."),
        BrokerViewHint => ("오프셋, HW, LEO를 보려면 파티션 로그를 여세요.", "Open the partition logs to see offsets, the HW and each LEO."),
        LogViewHeading => ("파티션 로그: 오프셋", "Partition logs: offsets"),
        TopicFilter => ("토픽", "Topic"),
        AllTopics => ("모든 토픽", "All topics"),
        PartitionTitle => ("{0} · 리더 {1} · 리더 에포크 {2}", "{0} · leader {1} · leader epoch {2}"),
        NoLeader => ("없음(오프라인)", "none (offline)"),
        OlderTitle => ("오래된 오프셋 {0}부터 {1} 전까지: 축소해서 그린 막대 (로그 시작 {0})", "older offsets from {0} up to {1}: drawn as a scaled bar (log start {0})"),
        LostNote => ("유실: 오프셋 {0}–{1} (레코드 {2}개), {3}–{4} ms에 확인(ack)됐는데 {5} ms에 사라짐", "lost: offsets {0}–{1} ({2} records), acknowledged at {3}–{4} ms, gone at {5} ms"),
        SwimlaneHeading => ("리밸런스 기록: 세대마다 누가 어떤 파티션을 가졌나 (✕: 반납(revoke))", "Rebalances: who owned which partition in each generation (✕: revoked)"),
        SwimlaneAria => ("그룹 {0}의 리밸런스 기록, 세대 {1}개", "Rebalance history of group {0}, {1} generations"),
        SwimlaneRebalance => ("세대 {0}로 가는 리밸런스, {1} ms에 시작", "rebalance to generation {0}, began at {1} ms"),
        SwimlaneOwned => ("{0}, 세대 {1}: {2}", "{0}, generation {1}: {2}"),
        SwimlaneIdle => ("유휴", "idle"),
        SwimlaneEpoch => ("그룹 에포크 {0}의 목표 할당 ({1} ms): 멈추는 멤버 없이 멤버마다 따로 맞춰 감", "target assignment of group epoch {0} (at {1} ms): members reconcile one by one, nobody stops"),
        RebalanceLabel => ("리밸런스 방식", "Rebalance"),
        RebalanceEager => ("클래식 프로토콜, eager: 모든 멤버가 멈추고 전부 반납(revoke)", "classic protocol, eager: every member stops and revokes everything"),
        RebalanceCooperative => ("클래식 프로토콜, cooperative: 옮길 파티션만 반납(revoke), 두 번의 리밸런스", "classic protocol, cooperative: only moving partitions are revoked, over two rebalances"),
        RebalanceIncremental => ("컨슈머 프로토콜(KIP-848): 브로커가 할당, 멤버마다 점진적으로", "consumer protocol (KIP-848): the broker assigns, each member reconciles on its own"),
        RebalanceShare => ("셰어 그룹(KIP-932): 파티션을 여러 멤버가 함께 읽고, 반납(revoke)이 없음", "share group (KIP-932): members share partitions, nothing is revoked"),
        ShareHeading => ("셰어 파티션 (SPSO 아래는 끝난 레코드)", "Share partitions (below the SPSO every record is done)"),
        ColSpso => ("SPSO(시작 오프셋)", "SPSO"),
        ColSpeo => ("SPEO(끝 오프셋)", "SPEO"),
        ColAcquired => ("획득(잠김)", "Acquired"),
        ColAvailable => ("대기", "Available"),
        ColArchived => ("보관(archived)", "Archived"),
        ShareRowLabel => ("셰어 그룹 {0}: SPSO {1}, SPEO {2}", "share group {0}: SPSO {1}, SPEO {2}"),
        ShareRecordTitle => ("오프셋 {0}: {1}, 전달 {2}번{3}", "offset {0}: {1}, delivered {2}×{3}"),
        ShareHeldBy => (", {0}이(가) 잡고 있음", ", held by {0}"),
        ShareStateAvailable => ("대기(available)", "available"),
        ShareStateAcquired => ("획득(acquired)", "acquired"),
        ShareStateAcknowledged => ("완료(acknowledged)", "acknowledged"),
        ShareStateArchived => ("보관(archived)", "archived"),
        ShareNoInFlight => ("진행 중인 레코드 없음", "no records in flight"),
        GroupEpochLabel => ("그룹 에포크 / 목표 할당 에포크", "Group epoch / target assignment epoch"),
        ColMember => ("멤버", "Member"),
        ColMemberEpoch => ("멤버 에포크", "Member epoch"),
        ColReconcileState => ("조정 상태", "Reconciliation"),
        ColCurrentAssignment => ("현재 할당", "Current"),
        ColTargetAssignment => ("목표 할당", "Target"),
        ColPendingRevocation => ("반납(revoke) 대기", "To revoke"),
        ClassicMemberBadge => ("클래식", "classic"),
        ClassicMemberTitle => ("클래식 프로토콜(JoinGroup/SyncGroup/Heartbeat)로 참여한 멤버: 멤버 에포크가 곧 세대(generation)입니다", "A member on the classic protocol (JoinGroup/SyncGroup/Heartbeat): its member epoch is its generation"),
        SwimlaneRevoked => ("{0}이(가) {1}을(를) 반납(revoke) ({2} ms)", "{0} revoked {1} (at {2} ms)"),
        SwimlaneLost => ("{0}이(가) {1}을(를) 잃음 (커밋 기회 없이, {2} ms)", "{0} lost {1} without a chance to commit (at {2} ms)"),
        SeqHeading => ("노드 사이 메시지 (시퀀스 다이어그램)", "Messages between nodes (sequence diagram)"),
        SeqHint => ("{0}–{1} ms, 시간은 아래로 흐릅니다. 점선과 ✕: 유실된 메시지.", "{0}–{1} ms, time flows down. Dashed with ✕: a lost message."),
        SeqMessage => ("{0}: {1} → {2}, {3} ms 전송 ({4})", "{0}: {1} → {2}, sent at {3} ms ({4})"),
        SeqPick => ("메시지를 누르면 필드를 보여 줍니다.", "Click a message to see its fields."),
        PresenterMode => ("발표 모드", "Presenter mode"),
        PresenterHint => ("큰 글씨, 그림과 단계 설명만. PageDown/PageUp: 다음/이전 단계, B: 화면 가리기", "Large type, the picture and the step notes only. PageDown/PageUp: next/previous step, B: blank the screen"),
        PresenterBlank => ("화면 가림 (B를 누르면 다시 보임)", "Screen blanked (press B to show it again)"),
        GapTitle => ("오프셋 {0}–{1} 생략", "offsets {0}–{1} not drawn"),
        EpochLabel => ("에포크 {0}", "epoch {0}"),
        SegmentStart => ("세그먼트가 오프셋 {0}에서 시작", "a segment starts at offset {0}"),
        CompressionHint => ("프로듀서의 배치 압축 코덱. 바꾸면 애플리케이션이 프로듀서를 그 설정으로 다시 시작합니다.", "The codec of the producer's batches. Changing it restarts the producer with that config, as an application would."),
        BatchCompressedTitle => ("{0} 압축: 저장된 {1} 바이트, 압축 전 {2} 바이트({3}%)", "{0}: {1} bytes stored, {2} bytes uncompressed ({3}%)"),
        BatchLine => ("배치 {0}–{1} · 레코드 {2}개 · 압축 없음(none) · {3} 바이트", "batch {0}–{1} · {2} record(s) · no compression (none) · {3} bytes"),
        BatchLineCompressed => ("배치 {0}–{1} · 레코드 {2}개 · {3} · 저장 {4} 바이트 / 압축 전 {5} 바이트 ({6}%)", "batch {0}–{1} · {2} record(s) · {3} · {4} bytes stored / {5} bytes uncompressed ({6}%)"),
        BatchTitle => ("배치 {0}–{1} · 리더 에포크 {2} · {3} 바이트", "batch {0}–{1} · leader epoch {2} · {3} bytes"),
        LostTitle => ("유실: 오프셋 {0}–{1}, {2} ms에 확인(ack)됐는데 {3} ms에 사라짐", "lost: offsets {0}–{1}, acknowledged at {2} ms, gone at {3} ms"),
        DuplicateTitle => ("중복: 오프셋 {0}부터 레코드 {2}개는 오프셋 {1}부터와 같은 레코드 (재시도, {3} ms)", "duplicate: {2} record(s) from offset {0} repeat those from offset {1} (a retry, at {3} ms)"),
        GroupOnLog => ("그룹 {0}", "group {0}"),
        PositionMark => ("{0}의 다음 읽을 오프셋(position) {1}, 랙 {2}", "{0}: position {1}, lag {2}"),
        PositionValidating => ("{0}: 리더가 바뀌어 위치 {1}을(를) 새 리더에게 확인하는 중입니다(OffsetsForLeaderEpoch, KIP-320). 확인될 때까지 가져오지 않습니다.", "{0}: the leader changed; position {1} is being validated with the new leader (OffsetsForLeaderEpoch, KIP-320). Nothing is fetched until then."),
        ValidatingShort => ("검증 중", "validating"),
        TruncationShort => ("잘림 감지 {0}→{1}", "truncation {0}→{1}"),
        TruncationTitle => ("{0}이(가) {3} ms에 로그 잘림을 알아챘습니다(KIP-320): 위치 {1}의 에포크가 새 리더에서 오프셋 {2}에 끝납니다. 그 뒤의 레코드는 새 리더에 없습니다.", "{0} detected a log truncation at {3} ms (KIP-320): the new leader ends its position's epoch at offset {2}, below position {1}. The records after it are not on the new leader."),
        CommittedShort => ("커밋 {0}", "committed {0}"),
        CommittedEpochMark => ("그룹 {0} 커밋 {1}(마지막 레코드의 리더 에포크 {3}, KIP-320), 랙 {2}", "group {0} committed {1} (the last record's leader epoch {3}, KIP-320), lag {2}"),
        LagShort => ("랙 {0}", "lag {0}"),
        IdleMember => ("{0}: 유휴 ({1}, 파티션 없음)", "{0}: idle ({1}, no partitions)"),
        NoPartitions => ("보여 줄 파티션이 없습니다.", "No partitions to show."),
        LegendCommitted => ("진한 칸: HW 아래 (모든 ISR에 있음, 컨슈머가 읽을 수 있음)", "solid: below the HW (on every ISR replica, readable)"),
        LegendUncommitted => ("빗금 칸: HW 위 (아직 모든 ISR에 없음, 컨슈머에게 안 보임)", "hatched: above the HW (not yet on every ISR replica, not readable)"),
        LegendLost => ("빨간 ✕: 확인(ack)됐지만 유실된 레코드", "red ✕: an acknowledged record that was lost"),
        LegendDuplicate => ("주황 테두리: 재시도로 두 번 쓰인 레코드", "orange border: a record a retry wrote twice"),
        LegendProcessedTwice => ("보라 띠 ×2: 컨슈머가 두 번 처리한 레코드 (커밋 전에 죽거나 리밸런스됨)", "purple band ×2: records a consumer processed twice (it crashed or was rebalanced before committing)"),
        ProcessedTwiceTitle => ("두 번 처리됨: 오프셋 {0}–{1}을 {2}가 {3} ms에 다시 처리 (커밋되지 않은 위치부터 다시 읽음)", "processed twice: offsets {0}–{1}, processed again by {2} at {3} ms (read again from the last commit)"),
        LegendKeyColour => ("칸 색: 레코드 키 (같은 키는 같은 색, 회색은 null 키)", "cell colour: the record's key (same key, same colour; grey: null key)"),
        LegendCompressed => ("위쪽 청록 띠: 압축된 배치(gzip, snappy, lz4, zstd; 셀에 마우스를 올리면 코덱과 크기)", "teal top edge: a compressed batch (gzip, snappy, lz4, zstd; hover a cell for the codec and sizes)"),
        LegendSegment => ("굵은 세로줄: 새 세그먼트", "thick bar: a new segment"),
        LegendEpoch => ("아래 띠: 리더 에포크 구간", "band below: leader epoch stretches"),
        LegendOlder => ("왼쪽 막대: 오래된 오프셋 (축소)", "left bar: older offsets (compressed)"),
        LegendTxn => ("트랜잭션: C·A는 COMMIT·ABORT 마커, 보라 점선은 열린 트랜잭션의 레코드, 취소선은 중단된 트랜잭션의 레코드 (read_committed는 건너뜀)", "transactions: C and A are COMMIT and ABORT markers; purple dashes, a record of an open transaction; struck out, a record of an aborted transaction (read_committed skips it)"),
        MetricsHeading => ("Kafka 메트릭", "Kafka metrics"),
        MetricsFault => ("마지막 장애: {0} ({1} ms). 오른쪽 열은 장애 전 → 지금", "last fault: {0} (at {1} ms). The last column is before it → now"),
        MetricsNoFault => ("아직 장애가 없습니다. 차트는 최근 60초(가상 시간)이고 오른쪽 끝이 지금입니다.", "No fault yet. Charts show the last 60 s of virtual time, now at the right end."),
        MetricName => ("메트릭", "Metric"),
        MetricNow => ("지금", "Now"),
        MetricChart => ("최근 60초", "Last 60 s"),
        MetricDelta => ("장애 전 → 지금", "Before fault → now"),
        CoordinatorUnavailable => ("코디네이터를 쓸 수 없습니다. 마지막으로 알려진 상태:", "The coordinator is unavailable. Last known state:"),
        CanvasHint => ("노드를 오른쪽 클릭하거나 Enter를 눌러 장애를 넣고, 노드에서 다른 노드로 끌어 링크를 끊으세요. 끊긴 링크를 클릭하면 복구됩니다.", "Right-click a node (or focus it and press Enter) for its faults; drag from one node to another to cut their link; click a cut link to heal it."),
}

/// A count message (`{0}` filled with `n`) whose English is written `singular|plural`: English
/// says "1 group" but "2 groups"; Korean counts the same either way.
pub fn counted(lang: Lang, key: Key, n: u64) -> String {
    kafkalab_narration::count(t(lang, key), n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkalab_narration::{phrase, Phrase};

    #[test]
    fn every_key_has_text_in_every_language() {
        for &key in Key::ALL {
            for lang in Lang::ALL {
                assert!(!t(lang, key).trim().is_empty(), "{key:?} is empty in {lang}");
            }
        }
    }

    #[test]
    fn korean_and_english_differ() {
        // Kafka's own config names and markers read the same in both languages.
        let same = [
            Key::LingerLabel,
            Key::GroupIdLabel,
            Key::HwMark,
            Key::LeoMark,
            Key::LsoMark,
            Key::NullValue,
            Key::RackLabel,
            Key::ClientRackMark,
        ];
        for &key in Key::ALL.iter().filter(|k| !same.contains(k)) {
            assert_ne!(t(Lang::Ko, key), t(Lang::En, key), "{key:?} is not translated");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        for &key in Key::ALL {
            for i in 0..4 {
                let p = format!("{{{i}}}");
                assert_eq!(t(Lang::Ko, key).contains(&p), t(Lang::En, key).contains(&p), "{key:?} {p}");
            }
        }
    }

    /// The terms in backticks in a cell of the glossary's table.
    fn terms(cell: &str) -> Vec<&str> {
        cell.split('`').skip(1).step_by(2).collect()
    }

    /// Every Korean text the glossary governs: the app's catalogue, the narration's (which the
    /// CLI shares), the built-in scenarios and lessons, each with where it comes from.
    fn korean_text() -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> =
            Key::ALL.iter().map(|&key| (format!("{key:?}"), t(Lang::Ko, key).to_string())).collect();
        all.extend(Phrase::ALL.iter().map(|&p| (format!("narration {p:?}"), phrase(Lang::Ko, p).to_string())));
        all.extend(
            kafkalab_engine::scenario::builtin()
                .into_iter()
                .map(|b| (format!("scenarios/{}.toml", b.name), b.text.to_string())),
        );
        all.extend(
            kafkalab_engine::lesson::builtin()
                .into_iter()
                .map(|b| (format!("scenarios/lessons/{}.toml", b.name), b.text.to_string())),
        );
        all
    }

    #[test]
    fn the_korean_text_follows_the_glossary() {
        let glossary = include_str!("../docs/glossary.md");
        let rows: Vec<Vec<&str>> = glossary
            .lines()
            .filter(|l| l.starts_with('|'))
            .map(|l| l.split('|').collect())
            .filter(|cells: &Vec<&str>| cells.len() == 6 && !terms(cells[2]).is_empty())
            .collect();
        assert!(rows.len() >= 9, "the glossary's table was not read");
        let text = korean_text();
        for row in rows {
            for term in terms(row[2]) {
                assert!(
                    text.iter().any(|(_, ko)| ko.contains(term)),
                    "the glossary's term `{term}` ({}) is used nowhere",
                    row[1].trim()
                );
            }
            for banned in terms(row[4]) {
                for (place, ko) in &text {
                    assert!(
                        !ko.contains(banned),
                        "{place} uses `{banned}` for {}: say {}",
                        row[1].trim(),
                        row[2].trim()
                    );
                }
            }
        }
    }

    #[test]
    fn counted_nouns_are_singular_for_one_in_english() {
        assert_eq!(counted(Lang::En, Key::ClusterSummary, 1), "1 broker");
        assert_eq!(counted(Lang::Ko, Key::ClusterSummary, 1), "브로커 1대");
        assert_eq!(
            counted(Lang::En, Key::NoticeDropped, 1),
            "1 saved action could not be applied again and was dropped."
        );
    }

    #[test]
    fn fill_chooses_the_particles_of_the_values() {
        assert_eq!(
            fill(t(Lang::Ko, Key::NoticeUnknownScenario), &["billing-1"]),
            "URL의 시나리오 \u{201c}billing-1\u{201d}은 없습니다. 데모를 보여 줍니다."
        );
    }

    #[test]
    fn fill_inserts_arguments() {
        assert_eq!(fill(t(Lang::En, Key::BrokerName), &["3"]), "Broker 3");
        assert_eq!(fill(t(Lang::Ko, Key::BrokerName), &["3"]), "브로커 3");
        assert_eq!(fill("{0}-{1}-{0}", &["a", "b"]), "a-b-a");
    }
}
