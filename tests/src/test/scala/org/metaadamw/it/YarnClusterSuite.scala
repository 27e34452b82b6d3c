package org.metaadamw.it

import java.io.{File, FileOutputStream}
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.TimeUnit

import org.apache.hadoop.conf.Configuration
import org.apache.hadoop.fs.{Path => HPath}
import org.apache.hadoop.hdfs.MiniDFSCluster
import org.apache.hadoop.yarn.conf.YarnConfiguration
import org.apache.hadoop.yarn.server.MiniYARNCluster
import org.apache.spark.sql.SparkSession
import org.metaadamw.examples.io.ImageParquet
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

import scala.collection.JavaConverters._

/**
 * Hadoop for real: an HDFS (MiniDFSCluster, one DataNode) and a YARN (MiniYARNCluster, one
 * NodeManager) of the Hadoop version Spark ships with, in this JVM. The suite puts Fashion-MNIST on
 * HDFS as Parquet and the assembly jar where cluster-conf/spark-defaults.yarn.conf expects it, then
 * submits org.metaadamw.examples.EstimatorJob with that template (sizes lowered for this machine) in
 * client and in cluster mode. The job trains the Spark ML Estimator on the executors (they read the
 * Parquet), checkpoints to HDFS, saves the model to HDFS, loads it back and checks that every
 * prediction is the same. spark-submit and the containers run from Spark's jars only (Spark installed
 * on every node: spark.yarn.jars=local:...), plus the assembly. On failure the containers' logs are
 * printed.
 */
class YarnClusterSuite extends AnyFunSuite with BeforeAndAfterAll {
  private val opens = sys.props.getOrElse("metaadamw.javaOpens", "").split("\\s+").filter(_.nonEmpty).toSeq
  private val workDir = Paths.get(sys.props.getOrElse("metaadamw.workDir", "target/cluster")).toAbsolutePath.resolveSibling("yarn")
  private val sparkHome = Paths.get(sys.props("metaadamw.sparkHome")).toAbsolutePath
  private val template = Paths.get(sys.props("metaadamw.clusterConf")).resolve("spark-defaults.yarn.conf")
  private val confDir = workDir.resolve("hadoop-conf")
  private var dfs: MiniDFSCluster = _
  private var yarn: MiniYARNCluster = _
  private var hdfsUri = ""

  private def javaBin: String = Paths.get(System.getProperty("java.home"), "bin", "java").toString

  override def beforeAll(): Unit = {
    if (Files.exists(workDir)) Files.walk(workDir).sorted(java.util.Comparator.reverseOrder()).forEach(p => Files.delete(p))
    Files.createDirectories(confDir)
    val conf = new Configuration()
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, workDir.resolve("hdfs").toString)
    conf.setInt("dfs.replication", 1)
    dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build()
    dfs.waitActive()
    hdfsUri = dfs.getFileSystem.getUri.toString

    val yconf = new YarnConfiguration()  // not the DFS test configuration: it names test-only classes (StaticMapping)
    yconf.set("fs.defaultFS", hdfsUri)
    yconf.setInt("yarn.nodemanager.resource.memory-mb", 8192)
    yconf.setInt("yarn.nodemanager.resource.cpu-vcores", 4)
    yconf.setInt("yarn.scheduler.minimum-allocation-mb", 128)
    yconf.setInt("yarn.scheduler.maximum-allocation-mb", 4096)
    // one queue with the whole cluster (the shaded minicluster has no capacity-scheduler.xml)
    yconf.set("yarn.scheduler.capacity.root.queues", "default")
    yconf.set("yarn.scheduler.capacity.root.default.capacity", "100")
    yconf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100")
    yconf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0")
    // the containers' real memory is ND4J's off-heap buffers, bounded by javacpp.maxphysicalbytes
    yconf.setBoolean("yarn.nodemanager.pmem-check-enabled", false)
    yconf.setBoolean("yarn.nodemanager.vmem-check-enabled", false)
    yconf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.9")
    yconf.setInt("yarn.nodemanager.delete.debug-delay-sec", 3600) // keep container logs for the failure report
    yarn = new MiniYARNCluster("metaadamw", 1, 1, 1)
    yarn.init(yconf)
    yarn.start()
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60)
    while (yarn.getConfig.get(YarnConfiguration.RM_ADDRESS).endsWith(":0") && System.nanoTime() < deadline) Thread.sleep(100)
    assert(!yarn.getConfig.get(YarnConfiguration.RM_ADDRESS).endsWith(":0"), "the ResourceManager did not get an address")
    // what a cluster's HADOOP_CONF_DIR holds
    val out = new FileOutputStream(confDir.resolve("yarn-site.xml").toFile)
    try yarn.getConfig.writeXml(out) finally out.close()
    val core = new Configuration(false)
    core.set("fs.defaultFS", hdfsUri)
    core.set("dfs.replication", "1")
    val coreOut = new FileOutputStream(confDir.resolve("core-site.xml").toFile)
    try core.writeXml(coreOut) finally coreOut.close()

    // the data on HDFS, written by a local Spark; the assembly where the template's spark.jars points
    val spark = SparkSession.builder().master("local[2]").appName("put-data").config("spark.ui.enabled", "false").getOrCreate()
    try {
      ImageParquet.writeFashionMnist(spark, true, 3000, s"$hdfsUri/data/fashion-mnist/train")
      ImageParquet.writeFashionMnist(spark, false, 1000, s"$hdfsUri/data/fashion-mnist/test")
    } finally spark.stop()
    val jarsLine = Files.readAllLines(template).asScala.find(_.startsWith("spark.jars ")).getOrElse(fail(s"$template sets no spark.jars"))
    val jarUri = new java.net.URI(jarsLine.split("\\s+")(1))
    assert(jarUri.getScheme == "hdfs", s"the template's spark.jars is not on HDFS: $jarsLine")
    dfs.getFileSystem.copyFromLocalFile(new HPath(sys.props("metaadamw.assemblyJar")), new HPath(jarUri.getPath))
    info(s"HDFS at $hdfsUri, YARN ResourceManager at ${yarn.getConfig.get(YarnConfiguration.RM_ADDRESS)}")
  }

  override def afterAll(): Unit = {
    if (yarn != null) yarn.stop()
    if (dfs != null) dfs.shutdown()
  }

  /** Every container log file the NodeManager kept (stdout, stderr), newest application first. */
  private def containerLogs(): Seq[Path] = {
    val roots = Seq(Paths.get("target"), workDir).filter(Files.isDirectory(_))
    roots.flatMap(r => Files.walk(r).iterator().asScala.filter(p => Files.isRegularFile(p) && p.toString.contains("container_")
      && Set("stdout", "stderr").contains(p.getFileName.toString)).toList).distinct
  }

  /** The NodeManagers as the ResourceManager sees them: state, health, memory used of total. */
  private def nodes(): String = {
    val client = org.apache.hadoop.yarn.client.api.YarnClient.createYarnClient()
    client.init(yarn.getConfig)
    client.start()
    try client.getNodeReports().asScala.map(n => s"node ${n.getNodeId} ${n.getNodeState} '${n.getHealthReport}' " +
      s"used ${n.getUsed} of ${n.getCapability}, ${n.getNumContainers} containers").mkString("\n")
    catch { case e: Exception => s"no node report: $e" }
    finally client.stop()
  }

  private def read(p: Path): String = new String(Files.readAllBytes(p), StandardCharsets.UTF_8)

  private def submit(mode: String): String = {
    val exec = (opens ++ Seq("-Dorg.bytedeco.javacpp.maxbytes=1G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3G")).mkString(" ")
    val javaHome = System.getProperty("java.home")
    val overrides = Seq(
      // this machine's sizes instead of the template's
      "spark.executor.instances=2", "spark.executor.memory=1g", "spark.executor.memoryOverhead=1g",
      s"spark.executor.extraJavaOptions=$exec", "spark.metaadamw.numWorkers=2",
      "spark.driver.memory=1g", "spark.driver.memoryOverhead=1g", s"spark.driver.extraJavaOptions=$exec",
      s"spark.yarn.am.extraJavaOptions=${opens.mkString(" ")}",
      s"spark.metaadamw.checkpoint.dir=hdfs:///tmp/metaadamw/checkpoints/$mode",
      // Spark is installed on every node (the same machine here); the job's jars come from HDFS
      s"spark.yarn.jars=local:$sparkHome/jars/*",
      s"spark.yarn.appMasterEnv.JAVA_HOME=$javaHome", s"spark.executorEnv.JAVA_HOME=$javaHome",
      "spark.ui.enabled=false")
    val model = s"hdfs:///models/fashion-mnist-$mode"
    val cmd = Seq(javaBin, "-Xmx1g") ++ opens ++ Seq("-cp", s"$confDir${File.pathSeparator}$sparkHome/jars/*",
      "org.apache.spark.deploy.SparkSubmit", "--master", "yarn", "--deploy-mode", mode, "--properties-file", template.toString,
      "--class", "org.metaadamw.examples.EstimatorJob") ++ overrides.flatMap(c => Seq("--conf", c)) ++
      Seq(sys.props("metaadamw.examplesJar"), "--train", "/data/fashion-mnist/train", "--test", "/data/fashion-mnist/test",
        "--model", model, "--epochs", "2", "--minAccuracy", "0.7")
    val log = workDir.resolve(s"submit-$mode.log")
    val pb = new ProcessBuilder(cmd.asJava).redirectErrorStream(true).redirectOutput(log.toFile)
    pb.environment().put("HADOOP_CONF_DIR", confDir.toString)
    pb.environment().put("YARN_CONF_DIR", confDir.toString)
    pb.environment().put("SPARK_HOME", sparkHome.toString)
    pb.environment().put("JAVA_HOME", javaHome)
    val before = containerLogs().toSet
    val p = pb.start()
    val finished = p.waitFor(420, TimeUnit.SECONDS)
    if (!finished) p.destroyForcibly()
    val out = read(log)
    val mine = containerLogs().filterNot(before.contains)
    def report = s"spark-submit output:\n${out.takeRight(5000)}\n${nodes()}\n" + mine.map(f =>
      s"---- $f\n${read(f).takeRight(3000)}").mkString("\n")
    assert(finished, s"the $mode-mode submission did not finish in 7 minutes\n$report")
    assert(p.exitValue() == 0, s"spark-submit ($mode mode) exited with ${p.exitValue()}\n$report")
    // client mode: the driver is spark-submit; cluster mode: it ran in a container
    val driverOut = if (mode == "client") out else mine.filter(_.getFileName.toString == "stdout").map(read).mkString("\n")
    val r = "METAADAMW_ESTIMATOR accuracy=([0-9.]+) mismatches=(\\d+) rows=(\\d+) rounds=(\\d+)".r.findFirstMatchIn(driverOut)
      .getOrElse(fail(s"no result line from the driver\n$report"))
    info(s"$mode mode: test accuracy ${r.group(1)} on ${r.group(3)} rows, ${r.group(4)} rounds, " +
      s"${r.group(2)} predictions of the reloaded model differ")
    assert(r.group(2).toInt == 0)
    assert(r.group(3).toInt == 1000)
    assert(r.group(1).toDouble >= 0.7)
    val fs = dfs.getFileSystem
    assert(fs.exists(new HPath(s"/models/fashion-mnist-$mode")), "the model was not saved to HDFS")
    val ckpts = fs.listStatus(new HPath(s"/tmp/metaadamw/checkpoints/$mode")).map(_.getPath.getName)
    assert(ckpts.exists(_.startsWith("round-")), s"no checkpoint on HDFS: ${ckpts.mkString(", ")}")
    out
  }

  test("client mode: the Estimator trains on Parquet from HDFS, the model saved to HDFS predicts the same when loaded") {
    submit("client")
  }

  test("cluster mode: the same job with the driver in a YARN container") {
    submit("cluster")
  }
}
