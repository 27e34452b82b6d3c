package org.metaadamw.it

import java.io.File
import java.net.{HttpURLConnection, ServerSocket, URL}
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.TimeUnit

import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import scala.collection.JavaConverters._

/**
 * The integration tier: a real standalone Spark cluster (one Master, two Workers, each its own
 * JVM on loopback) run from a Spark home whose jars/ holds Spark's own dependency closure and
 * nothing of this project, as a cluster's Spark installation does; the job's jar and the assembly
 * jar (spark-submit --jars, no extra class path) submitted through
 * org.apache.spark.deploy.SparkSubmit, a real network trained to a loss threshold with the
 * MetaAdamW SparkPlugin enabled, and the plugin's metrics read back from a CSV metrics sink.
 * The cluster is secured (spark.authenticate with a shared secret, RPC encryption, encrypted
 * shuffle and spill files), and the suite also kills a driver and an executor with SIGKILL mid-run.
 * The suite starts and stops its cluster itself.
 */
class StandaloneClusterSuite extends AnyFunSuite with BeforeAndAfterAll {
  /** Spark's jars only (the build copies them): daemons, spark-submit and executors run from them. */
  private val sparkHome = Paths.get(sys.props("metaadamw.sparkHome")).toAbsolutePath
  private val sparkClasspath = sparkHome.resolve("jars").toString + "/*"
  private val opens = sys.props.getOrElse("metaadamw.javaOpens", "").split("\\s+").filter(_.nonEmpty).toSeq
  private val workDir = Paths.get(sys.props.getOrElse("metaadamw.workDir", "target/cluster")).toAbsolutePath
  private var processes = List.empty[Process]
  /** The master and the workers: a wait fails when one of them dies. */
  private var daemons = List.empty[Process]
  private var masterUrl = ""
  private var masterWebUi = 0

  private def freePort(): Int = { val s = new ServerSocket(0); try s.getLocalPort finally s.close() }

  private def javaBin: String = Paths.get(System.getProperty("java.home"), "bin", "java").toString

  /**
   * The cluster is a secure one: RPC authentication with a shared secret (master, workers and every
   * application), AES-based RPC encryption and encrypted shuffle and spill files for the applications.
   */
  private val secret = java.util.UUID.randomUUID().toString
  private val daemonSecurity = Seq("-Dspark.authenticate=true", s"-Dspark.authenticate.secret=$secret", "-Dspark.network.crypto.enabled=true")
  private def security(io: Boolean): Seq[String] = Seq(
    "--conf", "spark.authenticate=true", "--conf", s"spark.authenticate.secret=$secret",
    "--conf", "spark.network.crypto.enabled=true", "--conf", s"spark.io.encryption.enabled=$io")

  private def start(name: String, mainClass: String, args: Seq[String], heap: String = "1g", jvm: Seq[String] = Nil): Process = {
    val cmd = Seq(javaBin, s"-Xmx$heap") ++ opens ++ jvm ++ Seq("-cp", sparkClasspath, mainClass) ++ args
    val pb = new ProcessBuilder(cmd.asJava)
    pb.environment().put("SPARK_HOME", sparkHome.toString)
    pb.environment().put("SPARK_SCALA_VERSION", "2.12")
    pb.redirectErrorStream(true).redirectOutput(workDir.resolve(s"$name.log").toFile)
    val p = pb.start()
    processes = p :: processes
    p
  }

  private def httpGet(url: String): Option[String] =
    try {
      val c = new URL(url).openConnection().asInstanceOf[HttpURLConnection]
      c.setConnectTimeout(1000); c.setReadTimeout(2000)
      Some(new String(c.getInputStream.readAllBytes(), StandardCharsets.UTF_8))
    } catch { case _: Exception => None }

  /** Waits, bounded, for a condition; fails with the message and the cluster logs otherwise. */
  private def await(what: String, seconds: Int)(cond: => Boolean): Unit = {
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
    while (!cond) {
      if (System.nanoTime() > deadline) fail(s"timed out after ${seconds}s waiting for $what; logs in $workDir")
      daemons.foreach(p => if (!p.isAlive) fail(s"a cluster process exited (${p.exitValue()}) while waiting for $what; logs in $workDir"))
      Thread.sleep(250)
    }
  }

  override def beforeAll(): Unit = {
    Files.createDirectories(workDir.resolve("metrics-template"))
    val jars = Option(sparkHome.resolve("jars").toFile.list()).map(_.toSeq).getOrElse(Nil)
    assert(jars.exists(_.startsWith("spark-core_")), s"no Spark jars in $sparkHome/jars (the build copies them)")
    assert(!jars.exists(j => j.startsWith("metaadamw") || j.startsWith("nd4j") || j.startsWith("deeplearning4j")),
      s"$sparkHome/jars must hold Spark's jars only, found ${jars.filter(j => j.startsWith("metaadamw") || j.startsWith("nd4j"))}")
    val port = freePort(); masterWebUi = freePort()
    masterUrl = s"spark://127.0.0.1:$port"
    start("master", "org.apache.spark.deploy.master.Master",
      Seq("--host", "127.0.0.1", "--port", port.toString, "--webui-port", masterWebUi.toString), jvm = daemonSecurity)
    await("the master's web UI", 90)(httpGet(s"http://127.0.0.1:$masterWebUi/json").isDefined)
    for (i <- 1 to 2)
      start(s"worker-$i", "org.apache.spark.deploy.worker.Worker",
        Seq("--host", "127.0.0.1", "--cores", "1", "--memory", "2g", "--webui-port", freePort().toString,
          "--work-dir", workDir.resolve(s"work-$i").toString, masterUrl), jvm = daemonSecurity)
    daemons = processes
    await("two alive workers", 120)(httpGet(s"http://127.0.0.1:$masterWebUi/json").exists { json =>
      "\"state\"\\s*:\\s*\"ALIVE\"".r.findAllIn(json).length >= 2
    })
  }

  /**
   * SparkSubmit arguments of a client-mode job on the cluster, from cluster-conf/spark-defaults.standalone.conf
   * (spark.jars given by --jars, the metrics directory moved under the work directory): 2 one-core executors of 1 GB heap with
   * `offHeap` of ND4J memory, the assembly jar as the only addition to Spark's jars (--jars), the
   * cluster's security settings;
   * `conf` adds --conf pairs, `jobArgs` are the jar's own arguments.
   */
  private def submission(mainClass: String, offHeap: String, io: Boolean, conf: Seq[String], jobArgs: Seq[String]): Seq[String] = {
    val examplesJar = sys.props("metaadamw.examplesJar")
    val assemblyJar = sys.props("metaadamw.assemblyJar")
    assert(new File(examplesJar).isFile && new File(assemblyJar).isFile, s"packaged jars missing: $examplesJar, $assemblyJar")
    val executorOpts = (opens ++ Seq(s"-Dorg.bytedeco.javacpp.maxbytes=$offHeap", "-Dorg.bytedeco.javacpp.maxphysicalbytes=" +
      (offHeap.dropRight(1).toInt + 2) + "G")).mkString(" ")
    // the standalone template of cluster-conf, with this machine's sizes and addresses on top
    val template = Paths.get(sys.props("metaadamw.clusterConf")).resolve("spark-defaults.standalone.conf").toString
    Seq("--properties-file", template, "--master", masterUrl, "--deploy-mode", "client", "--class", mainClass, "--jars", assemblyJar,
      "--conf", s"spark.metrics.conf.*.sink.csv.directory=${workDir.resolve("metrics-template")}",
      "--conf", "spark.metaadamw.numWorkers=2",
      "--conf", "spark.executor.memory=1g",
      "--conf", "spark.executor.cores=1",
      "--conf", "spark.cores.max=2",
      "--conf", s"spark.executor.extraJavaOptions=$executorOpts",
      "--conf", "spark.executorEnv.SPARK_SCALA_VERSION=2.12",
      "--conf", "spark.driver.host=127.0.0.1",
      "--conf", "spark.ui.enabled=false") ++ security(io) ++ conf.flatMap(c => Seq("--conf", c)) ++ (examplesJar +: jobArgs)
  }

  override def afterAll(): Unit = {
    processes.foreach(_.destroy())
    processes.foreach(p => if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly())
  }

  test("a job submitted through SparkSubmit trains to the loss threshold with the plugin and reports its metrics") {
    val metricsDir = workDir.resolve("metrics")
    Files.createDirectories(metricsDir)
    val sink = "spark.metrics.conf.*.sink.csv"
    val submit = start("submit", "org.apache.spark.deploy.SparkSubmit", submission("org.metaadamw.examples.ClusterSmokeJob", "1G",
      io = true, Seq("spark.plugins=org.metaadamw.spark.MetaAdamWPlugin", "spark.metaadamw.averagingFrequency=5",
        "spark.metaadamw.metrics.maxGroups=8", s"$sink.class=org.apache.spark.metrics.sink.CsvSink", s"$sink.period=1",
        s"$sink.unit=seconds", s"$sink.directory=$metricsDir"),
      Seq("--train", "3000", "--epochs", "3", "--maxLoss", "0.8")))
    assert(submit.waitFor(600, TimeUnit.SECONDS), s"the submission did not finish in 10 minutes; logs in $workDir")
    val log = new String(Files.readAllBytes(workDir.resolve("submit.log")), StandardCharsets.UTF_8)
    assert(submit.exitValue() == 0, s"spark-submit exited with ${submit.exitValue()}:\n${log.takeRight(4000)}")
    val result = "METAADAMW_RESULT loss=([0-9.]+) accuracy=([0-9.]+) rounds=(\\d+) workers=(\\d+)".r.findFirstMatchIn(log)
      .getOrElse(fail(s"no result line in the job output:\n${log.takeRight(4000)}"))
    val loss = result.group(1).toDouble
    info(s"cluster run: test loss $loss, accuracy ${result.group(2)}, ${result.group(3)} rounds on ${result.group(4)} workers")
    assert(loss < 0.8)
    assert(result.group(4).toInt == 2)

    val files = Files.list(metricsDir).iterator().asScala.toList.map(_.getFileName.toString)
    def metric(suffix: String): Option[Path] = files.find(_.endsWith(suffix)).map(metricsDir.resolve)
    val alpha = metric("plugin.org.metaadamw.spark.MetaAdamWPlugin.alpha.0.csv")
      .getOrElse(fail(s"no alpha.0 metric among ${files.mkString(", ")}"))
    val lastAlpha = Files.readAllLines(alpha).asScala.last.split(",")(1).trim.toDouble
    // the default log multipliers lie in (1/alphaMax, alphaMax) = (1/8, 8); a gauge outside means a broken metric
    assert(lastAlpha > 0.125 && lastAlpha < 8.0 && lastAlpha != 1.0, s"alpha.0 = $lastAlpha")
    for (name <- Seq("meta.lossDecrease", "huw.weight.alignment", "round.seconds", "statistics.bytes"))
      assert(metric(s"MetaAdamWPlugin.$name.csv").isDefined, s"$name missing among ${files.mkString(", ")}")
    // executor JVMs report the per-round worker time under their executor ids
    assert(files.exists(f => f.contains("MetaAdamWPlugin.worker.roundMicros") && !f.contains(".driver.")),
      s"no executor worker.roundMicros among ${files.mkString(", ")}")
  }

  test("data larger than the driver's heap is written, read and trained on by the executors only") {
    val out = workDir.resolve("executor-data")
    // the cached minibatches live off-heap in ND4J buffers: about 1 GB per executor here;
    // client mode: the driver is this JVM, so its heap is the -Xmx it starts with
    val submit = start("submit-data", "org.apache.spark.deploy.SparkSubmit", submission("org.metaadamw.examples.ExecutorDataJob", "3G",
      io = false, Nil, Seq("--out", out.toString, "--rows", "2100000", "--dim", "256", "--batch", "500")), heap = "512m")
    assert(submit.waitFor(900, TimeUnit.SECONDS), s"the submission did not finish in 15 minutes; logs in $workDir")
    val log = new String(Files.readAllBytes(workDir.resolve("submit-data.log")), StandardCharsets.UTF_8)
    assert(submit.exitValue() == 0, s"spark-submit exited with ${submit.exitValue()}:\n${log.takeRight(4000)}")
    val r = "METAADAMW_DATA parquetBytes=(\\d+) driverMaxHeap=(\\d+) rounds=(\\d+) firstLoss=([0-9.]+) lastLoss=([0-9.]+) workers=(\\d+)".r
      .findFirstMatchIn(log).getOrElse(fail(s"no result line in the job output:\n${log.takeRight(4000)}"))
    val bytes = r.group(1).toLong
    val heap = r.group(2).toLong
    info(f"executor data: ${bytes / 1e9}%.2f GB of Parquet, driver heap ${heap / 1e6}%.0f MB, ${r.group(3)} rounds, " +
      s"training loss ${r.group(4)} -> ${r.group(5)}")
    assert(bytes >= 2000000000L, s"only $bytes bytes of Parquet")
    assert(heap <= 560L * 1024 * 1024 && bytes > 3 * heap, s"driver heap $heap is not far smaller than the data ($bytes)")
    assert(r.group(5).toDouble < r.group(4).toDouble - 0.1, "the network must have learned something")
    assert(!log.contains("task of very large size"), "a large task was shipped from the driver")
  }

  /** SparkSubmit of ClusterSmokeJob with checkpoints into `dir`; `extra` are job options. */
  private def smoke(name: String, dir: Path, extra: Seq[String]): Process =
    start(name, "org.apache.spark.deploy.SparkSubmit", submission("org.metaadamw.examples.ClusterSmokeJob", "1G", io = true,
      Seq("spark.metaadamw.averagingFrequency=5"),
      Seq("--train", "3000", "--epochs", "3", "--maxLoss", "0.9", "--checkpoint", dir.toUri.toString, "--checkpointEvery", "3") ++ extra))

  private def finish(p: Process, name: String): String = {
    assert(p.waitFor(600, TimeUnit.SECONDS), s"$name did not finish in 10 minutes; logs in $workDir")
    val log = new String(Files.readAllBytes(workDir.resolve(s"$name.log")), StandardCharsets.UTF_8)
    assert(p.exitValue() == 0, s"$name exited with ${p.exitValue()}:\n${log.takeRight(4000)}")
    log
  }

  private def fresh(name: String): Path = {
    val d = workDir.resolve(name)
    if (Files.exists(d)) Files.walk(d).sorted(java.util.Comparator.reverseOrder()).forEach(p => Files.delete(p))
    d
  }

  /** The parameters of an uninterrupted run of the smoke job (the reference of the fault tests). */
  private lazy val cleanHash: String = paramsHash(finish(smoke("smoke-clean", fresh("ckpt-clean"), Nil), "smoke-clean"))

  private def paramsHash(log: String): String =
    "METAADAMW_PARAMS sha256=([0-9a-f]{64})".r.findFirstMatchIn(log).getOrElse(fail(s"no parameter hash in:\n${log.takeRight(3000)}")).group(1)

  test("a driver killed with SIGKILL mid-training resumes from its checkpoint to the parameters of an uninterrupted run") {
    val killedDir = fresh("ckpt-killed")
    val clean = cleanHash

    val victim = smoke("smoke-killed", killedDir, Nil)
    val victimLog = workDir.resolve("smoke-killed.log")
    // the checkpoint of round 6 is written before round 6 runs, so it exists once round 7 is reported
    await("round 7 of the run to be killed", 300)(
      Files.exists(victimLog) && new String(Files.readAllBytes(victimLog), StandardCharsets.UTF_8).contains("round 7 epoch"))
    victim.destroyForcibly() // SIGKILL on Linux: no shutdown hooks, no cleanup
    victim.waitFor(30, TimeUnit.SECONDS)
    val victimOut = new String(Files.readAllBytes(victimLog), StandardCharsets.UTF_8)
    assert(!victimOut.contains("METAADAMW_PARAMS"), "the run finished before it could be killed")
    val killedAt = "round (\\d+) epoch".r.findAllMatchIn(new String(Files.readAllBytes(victimLog), StandardCharsets.UTF_8))
      .map(_.group(1).toInt).max
    val log = finish(smoke("smoke-resumed", killedDir, Seq("--resume")), "smoke-resumed")
    val resumedAt = "METAADAMW_RESUMED round=(\\d+)".r.findFirstMatchIn(log).getOrElse(fail(s"no resume line in:\n${log.takeRight(3000)}"))
      .group(1).toInt
    info(s"killed after round $killedAt, resumed at round $resumedAt (${killedAt + 1 - resumedAt} rounds repeated)")
    assert(killedAt + 1 - resumedAt <= 3, "at most checkpoint.interval = 3 rounds are repeated")
    assert(paramsHash(log) == clean, "resumed parameters differ from the uninterrupted run's")
  }

  test("an executor killed with SIGKILL during a round is replaced and the run ends with the parameters of a clean run") {
    val clean = cleanHash
    val name = "smoke-executor-lost"
    val p = smoke(name, fresh("ckpt-executor-lost"), Nil)
    def log = if (Files.exists(workDir.resolve(s"$name.log"))) new String(Files.readAllBytes(workDir.resolve(s"$name.log")), StandardCharsets.UTF_8) else ""
    await("round 4 of the run", 300)(log.contains("round 4 epoch"))
    // the JDK's ProcessHandle.Info may drop long command lines: read /proc
    def cmdline(h: ProcessHandle): String =
      try new String(Files.readAllBytes(Paths.get(s"/proc/${h.pid()}/cmdline")), StandardCharsets.UTF_8) catch { case _: Exception => "" }
    def executors = ProcessHandle.allProcesses().iterator().asScala.filter(h =>
      cmdline(h).contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")).toList
    val victims = executors
    assert(victims.size == 2, s"expected the run's 2 executor JVMs, found ${victims.size}")
    val before = "round (\\d+) epoch".r.findAllMatchIn(log).map(_.group(1).toInt).max
    val t0 = System.nanoTime()
    assert(victims.head.destroyForcibly(), "SIGKILL refused")
    info(s"killed executor pid ${victims.head.pid()} after round $before")
    await("a round after the executor loss", 300)("round (\\d+) epoch".r.findAllMatchIn(log).map(_.group(1).toInt).max > before + 1)
    val recovery = (System.nanoTime() - t0) / 1e9
    val out = finish(p, name)
    info(f"recovered in $recovery%.1f s (kill to the end of the next complete round)")
    assert(out.contains("Lost executor") || out.contains("lost executor") || out.contains("ExecutorLostFailure"),
      "the driver log must show the executor loss")
    assert(paramsHash(out) == clean, "parameters after an executor loss differ from the clean run's")
  }
}
